"""HopSkipJump (label-only, minimal-norm) on real held-out MNIST digits and a real photo.

The shipped MNIST model answers thousands of queries a second, so the budget
tests run there; the 224x224 ImageNet model gets one photo and a small budget.
"""

import pytest
import torch
from conftest import DATA

from inspector.core.attacks import ATTACKS, make_attack
from inspector.core.attacks.hopskipjump import EXPORT_QUERIES
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.util.errors import ParameterError
from inspector.core.util.metrics import perturbation_norms


class Counted(torch.nn.Module):
    """The model, recording every batch it is sent."""

    def __init__(self, model):
        super().__init__()
        self.model, self.batches = model, []
        self.num_classes = model.num_classes

    def forward(self, x):
        self.batches.append(x.shape[0])
        return self.model(x)


@pytest.fixture(scope="module")
def digits(mnist_digits):
    """The first 8 held-out digits the model classifies correctly."""
    x, y = mnist_digits
    return x[:8], y[:8]


def _on_grid(x):
    return bool(((x * 255) - (x * 255).round()).abs().max() < 1e-3)


def test_registered_as_label_only_minimal_norm():
    cls = ATTACKS["hopskipjump"]
    assert cls.threat_model == "label-only" and cls.minimal
    attack = make_attack("hopskipjump", {})
    assert (attack.norm, attack.init_evals, attack.max_evals, attack.gamma) == ("l2", 100, 10000, 1.0)


@pytest.mark.parametrize("norm", ["l2", "linf"])
def test_shrinks_the_distance_on_mnist_within_the_budget(mnist_model, digits, norm):
    x, y = digits
    steps = []
    result = make_attack("hopskipjump", {"norm": norm, "max_queries": 1500}).run(
        mnist_model, x, y, on_step=steps.append
    )
    assert result.success.all() and _on_grid(result.x_adv)
    assert result.gradient_evaluations == 0 and result.iterations == len(steps) >= 4
    assert (result.query_counts <= 1500).all() and result.queries == int(result.query_counts.max())
    assert (result.query_counts >= 1500 - 60).all()  # the budget is spent, less what no step could use
    first = -steps[0].loss  # the distance after the first iteration, in float
    reached = torch.tensor(perturbation_norms(x, result.x_adv)[norm])
    assert (reached < 0.8 * first).float().mean() >= 0.75
    assert reached.median() < 0.75 * first.median()


def test_the_model_is_reached_only_through_a_label_oracle(mnist_model, digits, monkeypatch):
    from inspector.core.attacks import query
    from inspector.core.concealment.oracle import QueryOracle

    answers = []

    class Recording(QueryOracle):
        def __call__(self, x, index):
            out = super().__call__(x, index)
            answers.append((self.output, out.shape == index.shape, out.dtype))
            return out

    monkeypatch.setattr(query, "QueryOracle", Recording)  # the oracle every query attack is given
    x, y = digits
    counted = Counted(mnist_model)
    steps = []
    result = make_attack("hopskipjump", {"max_queries": 300}).run(counted, x, y, on_step=steps.append)
    assert answers and set(answers) == {("label", True, torch.long)}
    # every image the model saw was a charged query, plus finalize's one check of the 8-bit result
    assert sum(counted.batches) == int(result.query_counts.sum()) + len(y)
    assert all(((s.probabilities == 0) | (s.probabilities == 1)).all() for s in steps)
    assert all(torch.equal(s.probabilities.sum(1), torch.ones(len(y))) for s in steps)


@pytest.mark.parametrize("budget", [2 * EXPORT_QUERIES, 100, 333])
def test_the_budget_is_respected(mnist_model, digits, budget):
    x, y = digits
    result = make_attack("hopskipjump", {"max_queries": budget}).run(mnist_model, x, y)
    assert (result.query_counts <= budget).all()
    assert result.success.all()  # the start is adversarial and on the 8-bit grid


def test_more_queries_give_a_smaller_l2(mnist_model, digits):
    x, y = digits
    results = [make_attack("hopskipjump", {"max_queries": q}).run(mnist_model, x, y) for q in (200, 800)]
    l2 = [torch.tensor(perturbation_norms(x, r.x_adv)["l2"]) for r in results]
    assert l2[1].median() < 0.9 * l2[0].median()


def test_cancel_stops_after_the_current_iteration(mnist_model, digits):
    x, y = digits
    steps = []
    result = make_attack("hopskipjump", {"max_queries": 5000}).run(
        mnist_model, x, y, on_step=steps.append, should_stop=lambda: len(steps) >= 2
    )
    assert result.cancelled and result.iterations == 2 and len(steps) == 2
    assert result.success.all() and (result.query_counts < 1000).all()


def test_targeted_needs_starting_points(mnist_model, digits):
    x, y = digits
    target = (y + 1) % 10
    with pytest.raises(ParameterError, match="starting_points"):
        make_attack("hopskipjump", {}).run(mnist_model, x, y, target=target)
    with pytest.raises(ParameterError, match="not classified as the target"):
        make_attack("hopskipjump", {}).run(mnist_model, x, y, target=target, starting_points=x)


def test_targeted_from_digits_of_the_target_class(mnist_model, digits):
    x, y = digits[0][:4], digits[1][:4]
    pool_x, pool_y = mnist_split(DATA / "mnist")["held_out"]
    pool_x, pool_y = pool_x[100:400], pool_y[100:400]
    with torch.no_grad():
        pool_pred = mnist_model(pool_x).argmax(1)
    target = (y + 1) % 10
    start = torch.stack([pool_x[(pool_pred == t) & (pool_y == t)][0] for t in target])
    result = make_attack("hopskipjump", {"max_queries": 1000}).run(
        mnist_model, x, y, target=target, starting_points=start
    )
    assert result.success.all() and torch.equal(result.logits.argmax(1), target)
    start_l2 = (start - x).flatten(1).norm(dim=1)
    assert (torch.tensor(perturbation_norms(x, result.x_adv)["l2"]) < 0.7 * start_l2).all()


def test_on_a_photo_the_l2_shrinks_as_queries_are_spent(model, correct_batch):
    x, y, _ = correct_batch
    x, y = x[:1], y[:1]
    steps = []
    result = make_attack("hopskipjump", {"max_queries": 300}).run(model, x, y, on_step=steps.append)
    assert result.success.all() and result.queries <= 300 and len(steps) >= 2
    assert perturbation_norms(x, result.x_adv)["l2"][0] < 0.9 * float(-steps[0].loss[0])
