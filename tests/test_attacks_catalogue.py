"""The attack catalogue on the real pretrained model and real photos: each attack
fools photos the model gets right, with sensible norm and query figures."""

import pytest
import torch

from inspector.core.attacks import ATTACKS, make_attack
from inspector.core.util.metrics import perturbation_norms


@pytest.fixture(scope="module")
def two(correct_batch):
    x, y, _ = correct_batch
    return x[:2], y[:2]


def _on_grid(x):
    levels = x * 255
    return bool((levels - levels.round()).abs().max() < 1e-3)


def test_bim_succeeds_within_linf_budget(model, two):
    x, y = two
    steps = []
    result = make_attack("bim", {"eps": "2/255", "steps": 3, "step_size": "1/255"}).run(
        model, x, y, on_step=steps.append
    )
    assert result.success.all() and result.iterations == 3 and len(steps) == 3
    assert max(perturbation_norms(x, result.x_adv)["linf_grey"]) <= 2.0 + 1e-4
    assert _on_grid(result.x_adv)


def test_bim_starts_at_x_and_is_deterministic(model, two):
    x, y = two[0][:1], two[1][:1]
    attack = make_attack("bim", {"steps": 1, "seed": 1})
    assert not attack.random_start
    assert torch.equal(
        attack.run(model, x, y).x_adv, make_attack("bim", {"steps": 1, "seed": 2}).run(model, x, y).x_adv
    )


def test_mifgsm_momentum_changes_the_path_and_succeeds(model, two):
    x, y = two
    params = {"eps": "2/255", "steps": 3, "step_size": "1/255"}
    with_momentum = make_attack("mifgsm", params).run(model, x, y)
    assert make_attack("mifgsm", {}).decay == 1.0 and make_attack("mifgsm", {}).eps == pytest.approx(16 / 255)
    assert with_momentum.success.all()
    assert max(perturbation_norms(x, with_momentum.x_adv)["linf_grey"]) <= 2.0 + 1e-4
    without = make_attack("mifgsm", params | {"decay": 0}).run(model, x, y)
    assert not torch.equal(with_momentum.x_adv, without.x_adv)


def test_deepfool_finds_small_l2_perturbations(model, two):
    x, y = two
    result = make_attack("deepfool", {"candidates": 4, "steps": 20}).run(model, x, y)
    assert ATTACKS["deepfool"].minimal
    assert result.success.all()
    l2 = perturbation_norms(x, result.x_adv)["l2"]
    # far below what a Linf attack of 1 grey level spends (sqrt(150528)/255 = 1.52)
    assert max(l2) < 0.5
    assert result.gradient_evaluations == 3 * result.iterations  # one per candidate boundary


def test_cw_l2_succeeds_with_a_small_l2(model, two):
    x, y = two
    params = {
        "binary_search_steps": 2,
        "steps": 6,
        "learning_rate": 0.003,
        "initial_const": 10,
        "abort_early": False,
        "parallel_constants": 2,
    }
    result = make_attack("cw", params).run(model, x, y)
    assert result.success.all() and result.iterations == 6  # both values of c in one batch,
    assert result.gradient_evaluations == 12  # each costing its own gradients
    assert _on_grid(result.x_adv)
    # 6 Adam steps per c cannot shrink it to DeepFool's size; it must stay below a 1-grey-level Linf step (1.52)
    assert max(perturbation_norms(x, result.x_adv)["l2"]) < 1.52


@pytest.mark.parametrize("steps", [1, 5, 10, 100, 250, 1000])
def test_apgd_checkpoints_follow_the_paper(steps):
    """w_j = ceil(p_j N_iter), p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06)
    (Croce and Hein 2020, section 3.2), here in exact fractions."""
    from fractions import Fraction
    from math import ceil

    from inspector.core.attacks.apgd import checkpoints

    p = [Fraction(0), Fraction(22, 100)]
    while p[-1] + max(p[-1] - p[-2] - Fraction(3, 100), Fraction(6, 100)) <= 1:
        p.append(p[-1] + max(p[-1] - p[-2] - Fraction(3, 100), Fraction(6, 100)))
    assert p[1:] == [Fraction(q, 100) for q in (22, 41, 57, 70, 80, 87, 93, 99)]
    assert checkpoints(steps) == sorted({ceil(q * steps) for q in p[1:]})


@pytest.mark.parametrize("loss", ["ce", "dlr"])
def test_apgd_succeeds_within_one_grey_level(model, two, loss):
    x, y = two
    steps = []
    result = make_attack("apgd", {"eps": "1/255", "steps": 5, "loss": loss}).run(model, x, y, on_step=steps.append)
    assert result.success.all() and result.loss == loss
    assert max(perturbation_norms(x, result.x_adv)["linf_grey"]) <= 1.0 + 1e-4
    assert len(steps) == result.iterations and result.gradient_evaluations == result.iterations + 1


def test_targeted_apgd_dlr_reaches_the_tenth_most_likely_class(model, two):
    x, y = two
    with torch.no_grad():
        target = model(x).topk(10, dim=1).indices[:, 9]
    steps = []
    result = make_attack("apgd", {"eps": "2/255", "steps": 10, "loss": "dlr"}).run(
        model, x, y, target=target, on_step=steps.append
    )
    assert result.success.all() and torch.equal(result.logits.argmax(1), target)
    assert max(perturbation_norms(x, result.x_adv)["linf_grey"]) <= 2.0 + 1e-4
    # the targeted DLR loss rose on the way (it is positive once the target beats the true class)
    best = torch.stack([step.loss for step in steps]).amax(0)
    assert (best > steps[0].loss).all() and (best > 0).all()


def test_square_linf_fools_through_the_oracle_within_budget(model, two):
    x, y = two
    result = make_attack("square", {"eps": "12/255", "max_queries": 25}).run(model, x, y)
    assert ATTACKS["square"].threat_model == "score-based"
    assert result.gradient_evaluations == 0
    assert result.success.any()
    assert result.query_counts.max() <= 25 and result.queries == int(result.query_counts.max())
    # an image stops costing queries once fooled; one not fooled spends the whole budget
    assert (result.query_counts[result.success] < 25).all() and (result.query_counts[~result.success] == 25).all()
    assert max(perturbation_norms(x, result.x_adv)["linf_grey"]) <= 12.0 + 1e-4


def test_square_l2_stays_on_the_eps_sphere(model, two):
    x, y = two
    result = make_attack("square", {"eps": 2.0, "norm": "l2", "p_init": 0.1, "max_queries": 8}).run(model, x[:1], y[:1])
    slack = 0.5 / 255 * x[0].numel() ** 0.5  # 8-bit rounding
    assert result.queries <= 8
    assert abs(perturbation_norms(x[:1], result.x_adv)["l2"][0] - 2.0) <= slack


def test_oracle_counts_conceals_and_enforces_the_budget(model, two):
    from inspector.core.concealment.oracle import QueryBudgetError, QueryOracle

    x, y = two
    oracle = QueryOracle(model, 2, budget=3, output="label")
    labels = oracle(torch.cat([x, x[:1]]), torch.tensor([0, 1, 0]))
    assert labels.shape == (3,) and torch.equal(labels[:2], y) and oracle.queries.tolist() == [2, 1]
    assert oracle.remaining().tolist() == [1, 2]
    with pytest.raises(QueryBudgetError, match="over its budget of 3"):
        oracle(torch.cat([x[:1], x[:1]]), torch.tensor([0, 0]))
    assert oracle.queries.tolist() == [2, 1]  # a refused query is not charged
    scores = QueryOracle(model, 1)(x[:1], torch.tensor([0]))
    assert scores.shape == (1, 1000) and torch.allclose(scores.sum(1), torch.ones(1), atol=1e-4)
