"""The model-randomisation sanity check of explanation methods (Adebayo et al. 2018) on mnist-standard,
and ``inspector explain`` with the issue's short method names."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
import torch

from inspector.cli import main
from inspector.core.explain import EXPLANATION_METHODS
from inspector.core.explain.method import Attribution, ExplanationMethod
from inspector.core.explain.sanity import FLAG_AT, model_randomisation, randomised, sanity_check
from inspector.core.io.image import load_tensor
from inspector.core.io.resources import resource_path

DIGITS = (3, 7, 9)


@dataclass
class TheImageItself(ExplanationMethod):
    """A "map" that ignores the model: the image's own brightness, as an edge detector would pass the test."""

    name = "the-image-itself"

    def _attribute(self, model, x, target):
        return Attribution(x[0].mean(0).detach().cpu(), target)


def digit(model, label: int) -> torch.Tensor:
    return load_tensor(resource_path("images", f"mnist-{label}.png"), model.input_size, model.channels, model.resize)


def test_a_map_that_ignores_the_weights_is_flagged(mnist_model):
    check = model_randomisation(mnist_model, TheImageItself(), digit(mnist_model, 3), 3)
    assert check.flagged and check.rank_correlation == pytest.approx(1.0)
    assert check.layers == ("classifier.2", "classifier.5")  # the top two layers with weights
    assert check.describe().startswith(
        "sanity check FLAGGED, the map hardly depends on the weights: rank correlation 1.00"
    )


@pytest.mark.parametrize("method", ["saliency", "smoothgrad", "grad-cam"])
def test_gradient_methods_pass_on_mnist_standard(mnist_model, method):
    for label in DIGITS:
        check = model_randomisation(mnist_model, EXPLANATION_METHODS.make(method), digit(mnist_model, label), label)
        assert not check.flagged and check.rank_correlation < FLAG_AT, (label, check)
        assert check.describe().startswith("sanity check passes: rank correlation ")


def test_re_initialising_copies_the_model_and_is_seeded(mnist_model):
    before = {k: v.clone() for k, v in mnist_model.state_dict().items()}
    torch.manual_seed(11)
    state = torch.get_rng_state()
    first, layers = randomised(mnist_model)
    second, _ = randomised(mnist_model)
    assert torch.equal(torch.get_rng_state(), state)  # the global generator is left alone
    assert all(torch.equal(v, mnist_model.state_dict()[k]) for k, v in before.items())  # the model is untouched
    changed = {k for k, v in first.state_dict().items() if not torch.equal(v, before[k])}
    assert changed == {f"net.{name}.{p}" for name in layers for p in ("weight", "bias")}
    assert all(torch.equal(v, second.state_dict()[k]) for k, v in first.state_dict().items())  # the same seed


def test_the_check_runs_once_per_model_and_method(mnist_model):
    method = EXPLANATION_METHODS.make("saliency")
    first = sanity_check(mnist_model, method, digit(mnist_model, 3), 3)
    assert sanity_check(mnist_model, EXPLANATION_METHODS.make("saliency"), digit(mnist_model, 7), 7) is first
    assert sanity_check(mnist_model, EXPLANATION_METHODS.make("grad-cam"), digit(mnist_model, 3), 3) is not first


def test_a_torchscript_model_says_the_check_could_not_run(mnist_model):
    from inspector.core.models.classifier import Classifier

    traced = torch.jit.trace(mnist_model.net, torch.zeros(1, 1, 28, 28))
    model = Classifier(traced, name="traced.pt", input_size=(28, 28), channels=1, class_names=mnist_model.class_names)
    check = model_randomisation(model, EXPLANATION_METHODS.make("saliency"), digit(mnist_model, 3), 3)
    assert check.rank_correlation is None and not check.flagged
    assert check.describe() == (
        "sanity check not run (model randomisation): "
        "traced.pt: the model shows no layer whose weights can be re-initialised"
    )


@pytest.mark.parametrize(
    ("alias", "name"), [("ig", "integrated-gradients"), ("gradcam", "grad-cam"), ("occlusion", "occlusion")]
)
def test_explain_takes_the_short_method_names_and_reports_the_sanity_check(capsys, alias, name):
    image = str(resource_path("images", "mnist-7.png"))
    assert main(["explain", image, "--model", "mnist-standard", "--device", "cpu", "--method", alias, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["method"].split(":")[0] == name
    sanity = summary["sanity_check"]
    assert sanity["layers_reinitialised"] == ["classifier.2", "classifier.5"]
    assert sanity["flagged"] == (sanity["rank_correlation"] >= FLAG_AT)
