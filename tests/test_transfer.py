"""Transfer from a replica, on real held-out MNIST digits: surrogates, ensembles, input diversity."""

import pytest
import torch
from conftest import DATA

from inspector.core.attacks import make_attack
from inspector.core.attacks.diversity import diverse_input
from inspector.core.evasion.transfer import Ensemble, Resized, as_surrogate
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.models.loading import load_model
from inspector.core.util.errors import ModelError


@pytest.fixture(scope="module")
def digits(mnist_model):
    """32 held-out digits mnist-standard classifies correctly."""
    x, y = mnist_split(DATA / "mnist")["held_out"]
    with torch.no_grad():
        ok = (mnist_model(x[:60]).argmax(1) == y[:60]).nonzero().flatten()[:32]
    return x[ok], y[ok]


@pytest.fixture(scope="module")
def replicas():
    return [load_model(name, "cpu") for name in ("mnist-pgd-at", "mnist-distilled")]


def test_the_ensemble_averages_the_members_probabilities(replicas, digits):
    x, _ = digits
    with torch.no_grad():
        fused = Ensemble(replicas)(x).softmax(1)
        mean = torch.stack([m(x).softmax(1) for m in replicas]).mean(0)
    assert torch.allclose(fused, mean, atol=1e-5)


def test_a_surrogate_of_another_size_reads_the_targets_input(mnist_model, digits):
    x, _ = digits
    big = torch.nn.functional.interpolate(x[:4], size=(32, 32), mode="bilinear", align_corners=False)
    resized = Resized(mnist_model, (32, 32))
    with torch.no_grad():
        assert resized(big).shape == (4, 10)
    assert torch.equal(resized(x[:4]), mnist_model(x[:4]))  # its own size goes through unchanged
    colour = load_model("efficientnet-lite0", "cpu")
    with pytest.raises(ModelError, match="cannot stand in"):
        as_surrogate([colour], mnist_model)


def test_input_diversity_shrinks_and_pads_differentiably(digits):
    x, _ = digits
    gen = torch.Generator().manual_seed(0)
    assert torch.equal(diverse_input(x, 0.0, 0.9, gen), x)
    xg = x.clone().requires_grad_(True)
    out = diverse_input(xg, 1.0, 0.5, gen)
    assert out.shape == x.shape and not torch.equal(out, x)
    (grad,) = torch.autograd.grad(out.sum(), xg)
    assert grad.abs().sum() > 0
    # the zero padding adds no ink: the transformed digits hold at most their own bright pixels
    assert (out > 0.5).flatten(1).sum(1).le((x > 0.5).flatten(1).sum(1)).all()


@pytest.mark.parametrize("attack", ["mifgsm", "dimifgsm"])
def test_adversarials_made_on_the_replicas_transfer_better_than_noise(mnist_model, digits, replicas, attack):
    """The target never answers a query, yet an attack on the distilled model (margin loss: its
    cross-entropy gradient underflows) fools it far more often than random-sign noise of the same
    Linf budget."""
    x, y = digits
    eps = 0.2
    params = {"eps": eps, "steps": 10, "step_size": eps / 10, "loss": "margin"}
    result = make_attack(attack, params).run(as_surrogate(replicas[1:], mnist_model), x, y)
    noise = (x + eps * (torch.randint(0, 2, x.shape, generator=torch.Generator().manual_seed(0)) * 2 - 1)).clamp(0, 1)
    with torch.no_grad():
        transferred = int((mnist_model(result.x_adv).argmax(1) != y).sum())
        by_noise = int((mnist_model(noise).argmax(1) != y).sum())
    assert (result.x_adv - x).abs().max() <= eps + 1e-6
    assert transferred >= by_noise + len(y) // 3


def test_compare_takes_photo_models_of_other_input_sizes():
    """Lite0 (224) attacked, Lite1 (240) reads the same adversarial resized to its own size."""
    from inspector.core.evasion.compare import compare
    from inspector.core.evasion.recipe import Recipe
    from inspector.core.io.resources import resource_path

    recipe = Recipe(
        image=str(resource_path("images", "coffee.png")),
        model="efficientnet-lite0",
        attack="fgsm",
        params={"eps": "4/255"},
        device="cpu",
    )
    comparison = compare(recipe, ["efficientnet-lite1"])
    lite1 = comparison.models[1]
    assert lite1.model == "efficientnet-lite1" and lite1.original.label == comparison.models[0].original.label
    assert len(lite1.transfer.top_k) == 5
