"""One contract for every registered attack, on a tiny random network (no data, a few seconds).

The idea is foolbox's tests/test_attacks.py: every attack in the registry, with
each norm it offers, runs through the same checks of what ``Attack.run``
promises (see :mod:`inspector.core.attacks.base`):

- ``should_stop`` ends the run within one iteration and the result says so;
- ``x_adv`` is on the 8-bit grid, in [0, 1] and within the attack's budget;
- the attack's ``seed`` alone decides the result, whatever the global RNG state;
- the ``Step`` reports have the documented shapes and describe one image: the
  probabilities, loss and success reported are those of the reported iterate;
- ``iterations``, ``gradient_evaluations`` and the query counts agree with the
  reports and with what each attack documents;
- budgets and steps (``eps``, ``step_size``) are refused above 1 for Linf, not for L2;
- each declares its budget, iteration and query parameters (``budget_parameter``,
  ``iteration_parameters``, ``query_parameter``) consistently with its parameters, and a query
  attack reads the model only through the oracle its caller gives it;
- a run costs no more input gradients and queries per image than ``Attack.planned_cost`` says,
  and the paper preset sets real parameters to other values than the defaults.

A new attack fails here until it gets a row in ``CONTRACT``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import torch
from torch import nn

from inspector.core.attacks import ATTACKS, make_attack
from inspector.core.attacks.base import NORM_SCALED
from inspector.core.attacks.lbfgs import classification_loss
from inspector.core.attacks.losses import LOSSES, margin
from inspector.core.attacks.query import QueryAttack
from inspector.core.evasion.cost import count_gradient_rows
from inspector.core.io.image import quantize
from inspector.core.models.classifier import Classifier
from inspector.core.util.errors import ParameterError
from inspector.core.util.metrics import is_success

CLASSES = 10
#: White-box attacks with a score-based member (Square), whose queries they report.
ENSEMBLES = {"autoattack"}
SHAPE = (4, 3, 8, 8)
L2_EPS = 0.5


@dataclass
class Expect:
    """What the contract test needs to know about one attack.

    settings: small parameters that keep the run fast, and long enough that no
        attack is done after its first iteration on the tiny model.
    objective: Step.loss as a function of (attack, x, y, image, logits of image), or None
        where it is not a function of the image alone.
    gradients: whether AttackResult.gradient_evaluations agrees with the attack's docstring.
    """

    settings: dict
    objective: Callable | None
    gradients: Callable


def _own_loss(attack, x, y, image, logits):
    return LOSSES[attack.loss](logits, y)


def _margin(attack, x, y, image, logits):
    return margin(logits, y)


def _per_iteration(attack, result):
    return result.gradient_evaluations == result.iterations


def _none(attack, result):
    return result.gradient_evaluations == 0


CONTRACT = {
    "fgsm": Expect({}, _own_loss, _per_iteration),
    "pgd": Expect({"steps": 3}, _own_loss, _per_iteration),
    "bim": Expect({"steps": 3}, _own_loss, _per_iteration),
    "mifgsm": Expect({"steps": 3}, _own_loss, _per_iteration),
    # with diversity on, Step reports the transformed input's loss; off, it is MI-FGSM's
    "dimifgsm": Expect({"steps": 3, "diversity_prob": 0.0}, _own_loss, _per_iteration),
    "apgd": Expect({"steps": 4}, _own_loss, lambda a, r: r.gradient_evaluations == r.iterations + 1),
    # rounds over target classes (and AutoAttack's over its members) report each round's own objective
    # the DLR pull fools every tiny-net image at once at the L2 eps of the others
    "apgd-t": Expect(
        {"steps": 3, "targets": 2, "eps": 4 / 255}, None, lambda a, r: r.gradient_evaluations > r.iterations
    ),
    "fab-t": Expect({"steps": 3, "targets": 2}, None, _per_iteration),
    "autoattack": Expect(
        {"steps": 2, "targets": 2, "queries": 6}, None, lambda a, r: r.gradient_evaluations <= r.iterations + 3
    ),
    # Step.loss is minus the C&W objective, which holds the current trade-off constant c
    "cw": Expect({"binary_search_steps": 2, "steps": 3}, None, _per_iteration),
    # with all the classes as candidates, DeepFool's loss is the plain logit margin
    "deepfool": Expect(
        {"steps": 3, "candidates": CLASSES},
        _margin,
        lambda a, r: r.gradient_evaluations == (a.candidates - 1) * r.iterations,
    ),
    # JSMA-F differentiates the target's probability only (the others' sum is 1 minus it); JSMA-Z both terms
    "jsma": Expect(
        {}, _margin, lambda a, r: r.gradient_evaluations == (1 if a.output == "probabilities" else 2) * r.iterations
    ),
    "lbfgs": Expect(
        {"search_steps": 2, "steps": 3},
        lambda a, x, y, image, logits: -classification_loss(logits, y, None),
        lambda a, r: r.gradient_evaluations >= r.iterations,
    ),  # the optimiser's evaluations
    "square": Expect({"max_queries": 6}, _margin, _none),  # margin of log p = logit margin
    "hopskipjump": Expect(
        {"max_queries": 200, "steps": 3, "init_evals": 5},
        lambda a, x, y, image, logits: -(image - x).flatten(1).norm(p=2 if a.norm == "l2" else float("inf"), dim=1),
        _none,
    ),
}


def _cases():
    for name, cls in sorted(ATTACKS.items()):
        norms = next((s.choices for s in cls.params() if s.name == "norm"), (None,))
        for norm in norms:
            yield pytest.param(name, norm, id=name if norm is None else f"{name}-{norm}")


CASES = list(_cases())


@pytest.fixture(scope="module")
def tiny():
    """A random-init conv net on 3x8x8 images with 10 classes, and 4 images on the 8-bit grid with
    the net's own labels, all from fixed seeds."""
    with torch.random.fork_rng():
        torch.manual_seed(0)
        net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.Tanh(), nn.Flatten(), nn.Linear(8 * 8 * 8, CLASSES))
    model = Classifier(
        net, name="tiny", input_size=SHAPE[2:], channels=SHAPE[1], class_names=[f"class {k}" for k in range(CLASSES)]
    )
    x = torch.randint(0, 256, SHAPE, generator=torch.Generator().manual_seed(0)) / 255
    with torch.no_grad():
        y = model(x).argmax(1)
    return model, x, y


def _attack(name, norm):
    settings = dict(CONTRACT[name].settings)
    if norm is not None:
        settings["norm"] = norm
        if norm == "l2" and hasattr(ATTACKS[name], "eps"):
            settings.setdefault("eps", L2_EPS)
            if hasattr(ATTACKS[name], "step_size"):
                settings["step_size"] = L2_EPS / 4
    return make_attack(name, settings)


def _run(attack, tiny, **kwargs):
    model, x, y = tiny
    steps = []
    result = attack.run(model, x.clone(), y.clone(), on_step=steps.append, **kwargs)
    return result, steps


def test_every_attack_has_a_contract():
    assert set(CONTRACT) == set(ATTACKS), "give each registered attack a row in CONTRACT"


@pytest.mark.parametrize("name, norm", CASES)
def test_result_is_an_8bit_image_within_the_budget(tiny, name, norm):
    model, x, y = tiny
    attack = _attack(name, norm)
    result, _ = _run(attack, tiny)
    assert result.x_adv.shape == x.shape and result.logits.shape == (len(y), CLASSES)
    assert result.x_adv.min() >= 0 and result.x_adv.max() <= 1
    levels = result.x_adv * 255
    assert torch.allclose(levels, levels.round(), atol=1e-4)
    delta = (result.x_adv - x).flatten(1)
    if hasattr(attack, "eps") and attack.norm == "linf":
        assert delta.abs().max() <= attack.eps + 1e-6
    elif hasattr(attack, "eps"):
        rounding = 0.5 / 255 * delta.shape[1] ** 0.5  # 8-bit rounding, at most half a grey level per value
        assert delta.norm(dim=1).max() <= attack.eps + rounding
    if name == "jsma":  # L0: gamma of the features at most
        assert (delta != 0).sum(1).max() <= attack.gamma * delta.shape[1]
    with torch.no_grad():
        assert torch.allclose(result.logits, model(result.x_adv), atol=1e-5)
    assert torch.equal(result.success, is_success(result.logits, y))


@pytest.mark.parametrize("name, norm", CASES)
def test_the_seed_alone_decides_the_result(tiny, name, norm):
    attack = _attack(name, norm)
    torch.manual_seed(1)
    first, _ = _run(attack, tiny)
    torch.manual_seed(2)
    second, _ = _run(attack, tiny)
    assert torch.equal(first.x_adv, second.x_adv) and first.iterations == second.iterations


@pytest.mark.parametrize("name, norm", CASES)
def test_steps_describe_the_reported_iterate(tiny, name, norm):
    model, x, y = tiny
    attack = _attack(name, norm)
    result, steps = _run(attack, tiny)
    assert not result.cancelled and len(steps) == result.iterations >= 1
    assert [s.iteration for s in steps] == list(range(1, len(steps) + 1))
    assert len({s.total for s in steps}) == 1 and steps[-1].iteration <= steps[-1].total
    expect = CONTRACT[name]
    for step in steps:
        assert step.loss.shape == (len(y),) and step.probabilities.shape == (len(y), CLASSES)
        assert step.x_adv.shape == x.shape and step.success.shape == (len(y),)
        assert step.success.dtype == torch.bool
        image, logits = _seen(model, step, attack)
        if expect.objective is not None:
            assert torch.allclose(step.loss, expect.objective(attack, x, y, image, logits), atol=1e-4), (
                "Step.loss is not the objective of the image whose probabilities are reported"
            )
        if not attack.minimal:
            assert torch.equal(step.success, is_success(logits, y))
    if attack.minimal:  # success so far: never lost, and the result keeps what was found
        found = torch.stack([s.success for s in steps])
        assert (found[1:] >= found[:-1]).all() and torch.equal(found[-1], result.success)
    assert expect.gradients(attack, result), (
        f"gradient_evaluations {result.gradient_evaluations}, iterations {result.iterations}"
    )
    if attack.threat_model == "white-box" and name not in ENSEMBLES:
        assert result.queries == 0 and result.query_counts is None
    elif attack.threat_model == "white-box":  # a score-based member makes queries
        assert result.query_counts.shape == (len(y),) and result.queries == int(result.query_counts.max())
    else:
        assert result.gradient_evaluations == 0 and result.query_counts.shape == (len(y),)
        assert result.queries == int(result.query_counts.max()) <= attack.max_queries


def _seen(model, step, attack):
    """The image a step's probabilities belong to, (N, C, H, W), and the model's logits on it.

    That is the iterate itself, or its 8-bit rounding for attacks that judge the exported
    image; a label-only attack reports one-hot labels (zero rows for images it has no
    adversarial for yet).
    """
    with torch.no_grad():
        for image in (step.x_adv, quantize(step.x_adv)):
            logits = model(image)
            if attack.threat_model == "label-only":
                reported = step.probabilities.sum(1) > 0
                one_hot = torch.eye(logits.shape[1])[logits.argmax(1)]
                if torch.equal(step.probabilities[reported], one_hot[reported]):
                    return image, logits
            elif torch.allclose(step.probabilities, logits.softmax(1), atol=1e-5):
                return image, logits
    pytest.fail("Step.probabilities are not those of Step.x_adv (nor of its 8-bit rounding)")


@pytest.mark.parametrize("name, norm", CASES)
def test_should_stop_before_the_first_iteration_cancels_it(tiny, name, norm):
    model, x, y = tiny
    attack = _attack(name, norm)
    result, steps = _run(attack, tiny, should_stop=lambda: True)
    assert result.cancelled and result.iterations == 0 and steps == []
    assert torch.equal(result.success, is_success(result.logits, y))


@pytest.mark.parametrize("name, norm", CASES)
def test_should_stop_ends_the_run_within_one_iteration(tiny, name, norm):
    attack = _attack(name, norm)
    steps = []
    result = attack.run(*tiny, on_step=steps.append, should_stop=lambda: len(steps) >= 1)
    assert len(steps) == 1 and result.iterations == 1
    # the settings keep every attack busy past its first iteration, so only a one-iteration attack is not cancelled
    assert result.cancelled == (steps[0].total > 1)


class GradientRows(nn.Module):
    """The model, counting the input gradients computed through it, one per image row and backward pass."""

    def __init__(self, model):
        super().__init__()
        self.model, self.num_classes, self.rows = model, model.num_classes, [0]

    def forward(self, x):
        return self.model(count_gradient_rows(x, self.rows) if x.requires_grad else x)


@pytest.mark.parametrize("name, norm", CASES)
def test_a_run_costs_at_most_its_plan(tiny, name, norm):
    model, x, y = tiny
    attack = _attack(name, norm)
    gradients, queries = attack.planned_cost(tuple(x.shape[1:]))
    counted = GradientRows(model)
    result = attack.run(counted, x, y)
    assert counted.rows[0] <= len(y) * gradients, (
        f"{counted.rows[0]} gradient rows for {len(y)} images, planned {gradients} per image"
    )
    assert result.gradient_evaluations <= gradients and result.queries <= queries
    if attack.threat_model == "white-box":
        assert queries == 0 or name in ENSEMBLES
    else:
        assert gradients == 0 and counted.rows[0] == 0 and queries == attack.max_queries


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_the_paper_preset_sets_parameters_to_other_values(name):
    cls = ATTACKS[name]
    defaults = {spec.name: spec.default for spec in cls.params()}
    paper = cls.preset("paper")
    assert set(paper) <= set(defaults) and all(defaults[k] != v for k, v in paper.items())
    attack = make_attack(name, {}, preset="paper")
    assert all(getattr(attack, k) == v for k, v in paper.items())
    assert cls.preset("default") == {}
    with pytest.raises(ParameterError, match="unknown preset 'fast'"):
        make_attack(name, {}, preset="fast")


BUDGETED = [name for name, cls in sorted(ATTACKS.items()) if any(s.name in NORM_SCALED for s in cls.params())]


@pytest.mark.parametrize("name", BUDGETED)
def test_budgets_above_1_are_refused_for_linf_only(tiny, name):
    model, x, y = tiny
    cls = ATTACKS[name]
    scaled = [s.name for s in cls.params() if s.name in NORM_SCALED]
    for key in scaled:
        assert getattr(make_attack(name, {key: 1}), key) == 1  # the whole [0, 1] range is allowed
        message = f"attack '{name}' parameter '{key}': 1.5 is above the maximum 1 for norm linf"
        with pytest.raises(ParameterError, match=message):
            make_attack(name, {key: "1.5"})  # linf is every attack's default norm
        with pytest.raises(ParameterError, match=message):
            cls(**{key: 1.5})  # built directly, too
    if "l2" not in next(s.choices for s in cls.params() if s.name == "norm"):
        return  # a Linf-only attack (FAB-T, AutoAttack)
    attack = make_attack(name, CONTRACT[name].settings | {"norm": "l2"} | {key: 3.0 for key in scaled})
    result = attack.run(model, x, y)
    rounding = 0.5 / 255 * x[0].numel() ** 0.5
    assert (result.x_adv - x).flatten(1).norm(dim=1).max() <= 3.0 + rounding


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_budget_iteration_and_query_parameters_are_declared(name):
    """Evaluation reads these declarations (the budget it sweeps, the iterations its sanity checks
    multiply): an iteration count left undeclared would silently lose its sanity checks."""
    cls = ATTACKS[name]
    specs = {s.name: s for s in cls.params()}
    if cls.minimal:
        assert cls.budget_parameter is None
    else:
        assert specs[cls.budget_parameter].unit == "pixel" and specs[cls.budget_parameter].type is float
    counts = {n for n, s in specs.items() if s.type is int and (n == "steps" or n.endswith("_steps"))}
    assert counts <= set(cls.iteration_parameters), f"{name}: {counts} not in iteration_parameters"
    for key in cls.iteration_parameters:
        assert specs[key].type is int and specs[key].minimum >= 1
    if cls.threat_model == "white-box":
        assert cls.query_parameter is None and not issubclass(cls, QueryAttack)
    else:
        assert issubclass(cls, QueryAttack) and specs[cls.query_parameter].type is int


@pytest.mark.parametrize("name", sorted(n for n, cls in ATTACKS.items() if issubclass(cls, QueryAttack)))
def test_a_query_attack_reads_only_the_oracle_it_is_given(tiny, name):
    """The caller's oracle is the only way in: its budget and output are the attack's, every query is
    charged to it, and an oracle made for other images is refused."""
    model, x, y = tiny
    attack = _attack(name, None)
    oracle = attack.oracle(model, len(x))
    assert oracle.budget == getattr(attack, attack.query_parameter) and oracle.output == attack.reads
    result = attack.run(model, x, y, oracle=oracle)
    assert result.oracle.queries == oracle.queries.tolist() and int(oracle.queries.sum()) > 0
    with pytest.raises(ParameterError, match="needs an oracle"):
        attack.run(model, x, y, oracle=attack.oracle(model, len(x) - 1))
