"""The shipped MNIST models on held-out digits: standard, PGD-AT and distilled.

Attack: PGD, Linf eps 0.3 (76.5 grey levels), 20 steps of 0.025, random start,
on the first 200 of the 2,000 held-out digits (bench/mnist_cards.py gives the
figures on all 2,000 with 40 steps).
"""

import pytest
import torch
from conftest import DATA

from inspector.core.attacks import make_attack
from inspector.core.attacks.losses import cross_entropy
from inspector.core.defenses import detector_from_spec
from inspector.core.evaluation.accuracy import robust_accuracy
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.models.loading import builtin_models, default_model_name, load_model
from inspector.core.models.zoo import mnist_cnn
from inspector.core.models.zoo.mnist_cnn import load_mnist_cnn
from inspector.core.util.errors import ModelError

NAMES = ("mnist-standard", "mnist-pgd-at", "mnist-distilled")


def pgd(loss: str):
    return make_attack("pgd", {"eps": "0.3", "steps": "20", "step_size": "0.025", "loss": loss})


@pytest.fixture(scope="module")
def held_out():
    x, y = mnist_split(DATA / "mnist")["held_out"]
    return x[:200], y[:200]


def test_registered_after_the_default():
    assert default_model_name() == "efficientnet-lite0"
    assert all(builtin_models()[n].task == "MNIST digits, 10 classes, 28x28 grey" for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_shipped_weights_load_and_classify(name, held_out):
    model = load_model(name, "cpu")
    assert model.channels == 1 and model.input_size == (28, 28) and model.class_names == tuple("0123456789")
    assert not any(p.requires_grad for p in model.parameters())
    x, y = held_out
    assert robust_accuracy(model, x, y) >= 0.9


def test_standard_model_is_fooled_on_nearly_all(held_out):
    x, y = held_out
    model = load_model("mnist-standard", "cpu")
    assert robust_accuracy(model, x, y) >= 0.95
    assert robust_accuracy(model, x, y, pgd("ce")) <= 0.1


def test_adversarial_training_keeps_robust_accuracy(held_out):
    # measured on these 200 digits: 74.0 % under PGD-ce, 73.5 % under PGD-margin
    x, y = held_out
    model = load_model("mnist-pgd-at", "cpu")
    assert robust_accuracy(model, x, y, pgd("ce")) >= 0.65
    assert robust_accuracy(model, x, y, pgd("margin")) >= 0.65


def test_distillation_masks_gradients_but_falls_to_margin_loss(held_out):
    x, y = held_out
    model = load_model("mnist-distilled", "cpu")
    # the softmax saturates: the cross-entropy gradient is exactly zero on most digits
    xg = x.clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(cross_entropy(model(xg), y).sum(), xg)
    assert (grad.flatten(1).abs().amax(1) == 0).float().mean() >= 0.5
    ce = pgd("ce").run(model, x, y)
    assert ce.loss == "ce"
    assert robust_accuracy(model, x, y, pgd("ce")) >= 0.6
    assert robust_accuracy(model, x, y, pgd("margin")) <= 0.1


def test_weights_as_state_dict_and_bad_files(tmp_path):
    model = load_model("mnist-standard", "cpu")
    torch.save(model.net.state_dict(), tmp_path / "net.pt")
    again = load_mnist_cnn(tmp_path / "net.pt", "copy")
    x = torch.rand(3, 1, 28, 28)
    assert torch.equal(again(x), model(x))
    torch.save([1, 2], tmp_path / "list.pt")
    torch.save({"fc.weight": torch.zeros(3)}, tmp_path / "other-net.pt")
    (tmp_path / "junk.safetensors").write_bytes(b"junk")
    (tmp_path / "junk.pt").write_bytes(b"junk")
    (tmp_path / "empty.pt").write_bytes(b"")
    for bad in ("junk.safetensors", "junk.pt", "empty.pt", "list.pt", "other-net.pt"):
        with pytest.raises(ModelError, match="not MnistCNN weights"):
            load_mnist_cnn(tmp_path / bad, "junk")
    with pytest.raises(ModelError, match="run `inspector train pgd-at`"):
        load_mnist_cnn(tmp_path / "none.safetensors", "mnist-pgd-at")


def test_a_broken_install_is_not_called_a_bad_file(monkeypatch):
    def missing(*_args, **_kwargs):
        raise ModuleNotFoundError("No module named 'safetensors_rust'")

    monkeypatch.setattr(mnist_cnn, "load_file", missing)
    with pytest.raises(ModuleNotFoundError):
        load_mnist_cnn(mnist_cnn.weights_path("mnist-standard"), "mnist-standard")


def test_mc_dropout_flags_boundary_adversarials_not_confident_ones():
    """MC-dropout uncertainty (Feinman et al. 2017) works on the MNIST CNN's dropout layers.

    Minimal-norm adversarials (DeepFool) sit on the decision boundary, where the
    dropout passes disagree: flagged. High-confidence PGD adversarials are not
    (Carlini and Wagner 2017, arXiv:1705.07263): the detector is no defence on its own.
    """
    x, y = mnist_split(DATA / "mnist")["held_out"]
    model = load_model("mnist-standard", "cpu")
    detector = detector_from_spec("dropout:samples=20,fpr=0.05")
    threshold = detector.calibrate(model, x[1000:1300])  # clean held-out digits
    x, y = x[:50], y[:50]
    clean = (detector.score(model, x) > threshold).float().mean()
    boundary = make_attack("deepfool", {"steps": 50}).run(model, x, y)
    confident = pgd("margin").run(model, x, y)
    assert boundary.success.float().mean() >= 0.9 and confident.success.float().mean() >= 0.9
    flagged_boundary = (detector.score(model, boundary.x_adv[boundary.success]) > threshold).float().mean()
    flagged_confident = (detector.score(model, confident.x_adv[confident.success]) > threshold).float().mean()
    assert clean <= 0.15
    assert flagged_boundary >= 0.8
    assert flagged_confident < flagged_boundary
