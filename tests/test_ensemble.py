"""Ensembles as a defence (He et al. 2017), on real held-out MNIST digits: the attack made on one member
and transferred, the adaptive one made on the ensemble, the vote, and bad ensembles."""

import pytest
import torch
from conftest import DATA

from inspector.cli import main
from inspector.core.attacks import make_attack
from inspector.core.defenses.ensemble import Ensemble
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.io.resources import resource_path
from inspector.core.models.loading import load_model

MEMBERS = ("mnist-pgd-at", "mnist-standard", "mnist-distilled")


@pytest.fixture(scope="module")
def members():
    return [load_model(name, "cpu") for name in MEMBERS]


@pytest.fixture(scope="module")
def digits():
    """The last 32 held-out digits."""
    x, y = mnist_split(DATA / "mnist")["held_out"]
    return x[-32:], y[-32:]


def _fooled(model, x_adv, y) -> int:
    with torch.no_grad():
        return int((model(x_adv).argmax(1) != y).sum())


def test_the_attack_on_the_ensemble_fools_it_more_often_than_one_made_on_a_member(members, digits):
    """Made on mnist-pgd-at and transferred, PGD at eps 0.3 rarely fools the ensemble's mean; made on the
    ensemble it mostly does. (The vote is attacked through the same mean: see the gradient test.)"""
    x, y = digits
    ensemble = Ensemble(members, "mean")
    pgd = make_attack("pgd", {"eps": "0.3", "steps": "10", "step_size": "0.03"})
    transferred = _fooled(ensemble, pgd.run(members[0], x, y).x_adv, y)
    adaptive = _fooled(ensemble, pgd.run(ensemble, x, y).x_adv, y)
    assert wilson_interval(adaptive, len(y))[0] > wilson_interval(transferred, len(y))[1], (transferred, adaptive)


def test_the_majority_decides_where_the_mean_would_not(members, digits):
    """With mnist-pgd-at twice, the vote is mnist-pgd-at's top-1 on every PGD adversarial of mnist-standard,
    also where mnist-standard's confidence carries the mean of the three probabilities elsewhere."""
    x, y = digits
    standard, robust = members[1], members[0]
    x_adv = make_attack("pgd", {"eps": "0.3", "steps": "10", "step_size": "0.03"}).run(standard, x, y).x_adv
    with torch.no_grad():
        vote = Ensemble([standard, robust, robust], "vote")(x_adv).argmax(1)
        mean = Ensemble([standard, robust, robust], "mean")(x_adv).argmax(1)
        alone = robust(x_adv).argmax(1)
    assert torch.equal(vote, alone)
    assert (mean != vote).any()


def test_the_vote_is_attacked_through_the_gradient_of_the_mean(members, digits):
    x = digits[0][:8].clone().requires_grad_(True)
    grads = []
    for rule in ("vote", "mean"):
        (grad,) = torch.autograd.grad(Ensemble(members, rule)(x)[:, 3].sum(), x)
        grads.append(grad)
    assert grads[1].abs().sum() > 0
    assert torch.allclose(grads[0], grads[1])


def test_a_member_of_another_input_size_sees_the_input_resized_to_its_own(model, correct_batch):
    """EfficientNet-Lite0 (224) and Lite1 (240) vote together: Lite1 reads the photo resized to 240."""
    lite1 = load_model("efficientnet-lite1", "cpu")
    x = correct_batch[0][:2]
    with torch.no_grad():
        mean = Ensemble([model, lite1])(x).softmax(1)
        resized = torch.nn.functional.interpolate(x, size=(240, 240), mode="bilinear", align_corners=False)
        expected = (model(x).softmax(1) + lite1(resized).softmax(1)) / 2
    assert tuple(lite1.input_size) == (240, 240) != tuple(model.input_size)
    assert torch.allclose(mean, expected, atol=1e-6)


@pytest.mark.parametrize(
    "args, phrase",
    [
        (["--ensemble", "gtsrb-standard"], "its classes 43 differ from 10"),
        (["--ensemble", "mnist-standard"], "names mnist-standard twice"),
        (["--ensemble", "mnist-pgd-at,"], "expected model names separated by commas"),
        (["--ensemble", "mnist-pgd-at", "--ensemble-rule", "median"], "invalid choice"),
        (["--adaptive"], "an adaptive attack needs a defence"),
    ],
)
def test_a_bad_ensemble_ends_in_one_line_and_exit_2(capsys, args, phrase):
    image = str(resource_path("images", "mnist-3.png"))
    try:
        code = main(["attack", image, "--model", "mnist-standard", "--steps", "1", *args])
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert phrase in err and len(err.splitlines()) == 1, err
