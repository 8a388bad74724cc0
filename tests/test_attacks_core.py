"""FGSM and PGD on the real pretrained model and real photos."""

import pytest
import torch

from inspector.core.attacks import make_attack
from inspector.core.util.errors import ParameterError
from inspector.core.util.metrics import perturbation_norms


@pytest.fixture(scope="module")
def four(correct_batch):
    x, y, _ = correct_batch
    return x[:4], y[:4]


def test_pgd_linf_fools_nearly_all_correct_photos(model, correct_batch):
    """The issue's bar: PGD Linf eps 2/255, 10 steps, fools at least 95 % of the photos the model gets right.

    16 photos prove it: on all 87 PGD fools 86 (bench/pgd_photos.py), and these 16 all. The test asks for
    15 of 16; an attack that fooled only 70 % of photos would pass that with probability 2.6 %.
    """
    x, y, _ = correct_batch
    x, y = x[:16], y[:16]
    result = make_attack("pgd", {"eps": "2/255", "steps": 10, "step_size": "0.5/255"}).run(model, x, y)
    x_adv, success = result.x_adv, result.success
    assert success.sum() >= 15
    assert max(perturbation_norms(x, x_adv)["linf_grey"]) <= 2.0 + 1e-4
    levels = x_adv * 255
    assert (levels - levels.round()).abs().max() < 1e-3  # quantised to 8 bits
    with torch.no_grad():
        assert torch.equal(model(x_adv).argmax(1) != y, success)


def test_pgd_l2_stays_in_ball(model, four):
    x, y = four
    result = make_attack("pgd", {"eps": 1.0, "norm": "l2", "step_size": 0.25, "steps": 10}).run(model, x, y)
    assert result.success.all()
    # 8-bit quantisation may add at most half a grey level per value
    slack = 0.5 / 255 * x[0].numel() ** 0.5
    assert max(perturbation_norms(x, result.x_adv)["l2"]) <= 1.0 + slack


def test_fgsm_changes_predictions_within_budget(model, correct_batch):
    x, y, _ = correct_batch
    x, y = x[:16], y[:16]
    result = make_attack("fgsm", {"eps": "4/255"}).run(model, x, y)
    assert result.gradient_evaluations == 1 and result.iterations == 1
    assert result.success.float().mean() >= 0.5
    assert max(perturbation_norms(x, result.x_adv)["linf_grey"]) <= 4.0 + 1e-4


def test_targeted_pgd_reaches_the_target(model, four):
    x, y = four
    target = torch.full_like(y, 967)  # espresso
    result = make_attack("pgd", {"eps": "8/255", "steps": 20, "step_size": "1/255"}).run(model, x, y, target=target)
    assert result.success.all()
    assert (result.logits.argmax(1) == 967).all()


def test_steps_are_reported_and_cancel_stops_within_one_iteration(model, four):
    x, y = four
    steps = []
    attack = make_attack("pgd", {"steps": 10})
    result = attack.run(model, x, y, on_step=steps.append, should_stop=lambda: len(steps) >= 3)
    assert [s.iteration for s in steps] == [1, 2, 3]
    assert result.cancelled and result.iterations == 3 and result.gradient_evaluations == 3
    assert steps[0].probabilities.shape == (4, 1000) and steps[0].x_adv.shape == x.shape
    assert torch.allclose(steps[0].probabilities.sum(1), torch.ones(4), atol=1e-4)


def test_early_stop_ends_when_all_fooled(model, four):
    x, y = four
    result = make_attack("pgd", {"eps": "8/255", "steps": 50, "early_stop": True}).run(model, x, y)
    assert result.iterations < 50
    assert result.success.all()


def test_seed_makes_runs_reproducible(model, four):
    x, y = four[0][:1], four[1][:1]
    a = make_attack("pgd", {"steps": 2, "seed": 3}).run(model, x, y).x_adv
    b = make_attack("pgd", {"steps": 2, "seed": 3}).run(model, x, y).x_adv
    c = make_attack("pgd", {"steps": 2, "seed": 4}).run(model, x, y).x_adv
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_margin_loss_is_reported(model, four):
    x, y = four
    result = make_attack("pgd", {"loss": "margin", "eps": "4/255"}).run(model, x[:1], y[:1])
    assert result.loss == "margin" and result.success.all()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"eps": "-1"}, "below the minimum"),
        ({"eps": "lots"}, "not a number"),
        ({"steps": "2.5"}, "not a whole number"),
        ({"norm": "l7"}, "not one of linf, l2"),
        ({"colour": "red"}, "no parameter 'colour'"),
    ],
)
def test_bad_parameters(params, message):
    with pytest.raises(ParameterError, match=message):
        make_attack("pgd", params)


def test_unknown_attack():
    with pytest.raises(ParameterError, match="unknown attack"):
        make_attack("teleport")


def test_seeds_are_read_exactly_up_to_2_to_the_63():
    assert make_attack("pgd", {"seed": str(2**63 - 1)}).seed == 2**63 - 1
    assert make_attack("square", {"seed": str(2**60 + 1)}).seed == 2**60 + 1  # no detour through float
    with pytest.raises(ParameterError, match="above the maximum 9223372036854775807"):
        make_attack("pgd", {"seed": str(2**63)})
