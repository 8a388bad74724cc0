"""Explanations (inspector explain): captum's attributions on the shipped digits, the figures of how
far a map moves under an attack, the command's files and its one-line errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from inspector.cli import main
from inspector.core.attacks import ATTACKS
from inspector.core.explain import EXPLANATION_METHODS
from inspector.core.explain.compare import mass_moved, rank_correlation
from inspector.core.explain.explain import explain
from inspector.core.io.image import load_tensor, save_image, to_pil
from inspector.core.io.resources import resource_path
from inspector.core.util.errors import ModelError, ParameterError

DIGITS = (3, 7, 9)


def digit(model, label: int) -> torch.Tensor:
    """The shipped MNIST digit ``label`` (1, 1, 28, 28) in [0, 1]: white strokes on black."""
    return load_tensor(resource_path("images", f"mnist-{label}.png"), model.input_size, model.channels, model.resize)


def adversarial(model, x: torch.Tensor, label: int) -> torch.Tensor:
    """A PGD adversarial of ``x`` that mnist-standard reads as another class (checked)."""
    x_adv = ATTACKS.make("pgd", {"eps": 0.3, "steps": 40}).run(model, x, torch.tensor([label])).x_adv
    assert int(model(x_adv).argmax()) != label
    return x_adv


@pytest.mark.parametrize("label", DIGITS)
def test_integrated_gradients_are_complete_within_5_percent_at_the_default_steps(mnist_model, label):
    """Sundararajan et al.'s completeness: the map sums to f(x) - f(black) for the explained logit."""
    x = digit(mnist_model, label)
    attribution = EXPLANATION_METHODS.make("integrated-gradients").attribute(mnist_model, x, label)
    with torch.no_grad():
        logits = mnist_model(torch.cat([x, torch.zeros_like(x)]))[:, label]
    change = float(logits[0] - logits[1])
    total = float(attribution.map.sum())
    assert change > 1.0  # a real change to explain, not a gap hidden in noise
    assert abs(total - change) <= 0.05 * abs(change)
    assert attribution.delta == pytest.approx(total - change, abs=1e-3)
    assert attribution.map.shape == (28, 28)


@pytest.mark.parametrize("method", ["saliency", "smoothgrad"])
@pytest.mark.parametrize("label", DIGITS)
def test_the_saliency_of_a_digit_lies_on_its_strokes(mnist_model, label, method):
    """Per pixel, the gradient's size on the digit's strokes is well above that on the black background."""
    x = digit(mnist_model, label)
    saliency = EXPLANATION_METHODS.make(method).attribute(mnist_model, x, label).map
    strokes = x[0, 0] > 0.5
    assert saliency.min() >= 0
    assert saliency[strokes].mean() > 1.8 * saliency[~strokes].mean()


@pytest.mark.parametrize("label", DIGITS)
def test_occluding_a_digit_s_strokes_costs_its_score_more_than_occluding_the_background(mnist_model, label):
    """Zeiler and Fergus's occlusion: per pixel, covering the strokes lowers the class score far more."""
    x = digit(mnist_model, label)
    drop = EXPLANATION_METHODS.make("occlusion").attribute(mnist_model, x, label).map
    strokes = x[0, 0] > 0.5
    assert drop.shape == (28, 28)
    assert drop[strokes].mean() > 0  # covering the strokes lowers the score
    assert drop[strokes].abs().mean() > 3 * drop[~strokes].abs().mean()


def test_the_occlusion_window_is_sized_to_the_input():
    from inspector.core.explain.occlusion import MAX_WINDOWS

    auto = EXPLANATION_METHODS.make("occlusion")
    assert auto.sizes(28, 28) == (4, 2) and auto.sizes(32, 32) == (5, 2) and auto.sizes(224, 224) == (32, 16)
    assert EXPLANATION_METHODS.make("occlusion", {"window": 8, "stride": 3}).sizes(224, 224) == (8, 3)
    with pytest.raises(ParameterError, match="^an occlusion window of 40 pixels does not fit a 32x32 image$"):
        EXPLANATION_METHODS.make("occlusion", {"window": 40}).sizes(32, 32)
    with pytest.raises(ParameterError, match=f"places 49729 windows on a 224x224 image \\(at most {MAX_WINDOWS}\\)"):
        EXPLANATION_METHODS.make("occlusion", {"window": 2, "stride": 1}).sizes(224, 224)


@pytest.mark.parametrize("label", (3, 7))
def test_grad_cam_moves_when_the_predicted_class_changes(mnist_model, label):
    x = digit(mnist_model, label)
    x_adv = adversarial(mnist_model, x, label)
    explanation = explain(mnist_model, EXPLANATION_METHODS.make("grad-cam"), x, target=label, x_adv=x_adv)
    before, after = explanation.original.attribution.map, explanation.adversarial.attribution.map
    again = EXPLANATION_METHODS.make("grad-cam").attribute(mnist_model, x, label).map
    assert mass_moved(before, again) < 1e-6 and rank_correlation(before, again) == pytest.approx(1.0)
    assert mass_moved(before, after) > 0.15
    assert rank_correlation(before, after) < 0.8


def test_smoothgrad_is_the_same_for_a_seed_and_leaves_the_global_generator_alone(mnist_model):
    x = digit(mnist_model, 9)
    torch.manual_seed(5)
    state = torch.get_rng_state()
    first = EXPLANATION_METHODS.make("smoothgrad", {"samples": 8}).attribute(mnist_model, x, 9).map
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(EXPLANATION_METHODS.make("smoothgrad", {"samples": 8}).attribute(mnist_model, x, 9).map, first)
    other = EXPLANATION_METHODS.make("smoothgrad", {"samples": 8, "seed": 1}).attribute(mnist_model, x, 9).map
    assert not torch.equal(other, first)


def test_the_comparison_figures_on_maps_made_up_to_know_the_answer():
    ramp = torch.arange(16.0).reshape(4, 4)
    assert rank_correlation(ramp, 3 * ramp) == pytest.approx(1.0)
    assert rank_correlation(ramp, ramp.flip(0, 1)) == pytest.approx(-1.0)
    assert mass_moved(ramp, -2 * ramp) == pytest.approx(0.0)
    left, right = torch.zeros(4, 4), torch.zeros(4, 4)
    left[:, :2], right[:, 2:] = 1.0, 1.0
    assert mass_moved(left, right) == pytest.approx(1.0)
    assert rank_correlation(torch.ones(4, 4), ramp) == 0.0
    with pytest.raises(ValueError, match="cannot be compared"):
        mass_moved(ramp, ramp[:2])


def test_the_heat_map_tints_red_where_the_map_is_large():
    from inspector.core.explain.heatmap import heat_map

    x = torch.full((1, 1, 10, 10), 0.4)
    attribution = torch.zeros(10, 10)
    attribution[2:4, 5:7] = -3.0
    pixels = np.asarray(heat_map(x, attribution))
    assert pixels[2, 5].tolist() == [217, 26, 26]  # 0.4 * 0.25 + 0.75 red, 0.4 * 0.25 green and blue
    assert pixels[0, 0].tolist() == [102, 102, 102]  # untinted grey
    assert (np.asarray(heat_map(x, torch.zeros(10, 10))) == 102).all()


def test_explain_writes_the_maps_and_the_figures(mnist_model, tmp_path, capsys):
    x = digit(mnist_model, 7)
    adv_file = tmp_path / "adversarial.png"
    save_image(to_pil(adversarial(mnist_model, x, 7)), adv_file)
    image = str(resource_path("images", "mnist-7.png"))
    out = tmp_path / "out"
    args = ["explain", image, "--model", "mnist-standard", "--adversarial", str(adv_file), "--out", str(out)]
    assert main([*args, "--method", "saliency", "--device", "cpu"]) == 0
    assert "of the attribution mass moved" in capsys.readouterr().out
    assert main([*args, "--steps", "32", "--device", "cpu", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads((out / "explanation.json").read_text())
    assert saved == printed
    assert saved["method"] == "integrated-gradients:steps=32"
    assert saved["original"]["explained_class"] == {"index": 7, "name": "7"}
    assert saved["adversarial"]["explained_class"]["index"] == saved["adversarial"]["label"]["index"] != 7
    assert 0.0 < saved["mass_moved"] <= 1.0 and -1.0 <= saved["rank_correlation"] < 1.0
    assert abs(saved["original"]["completeness_delta"]) < 0.05
    for name in ("original-map.png", "adversarial-map.png"):
        with Image.open(out / name) as im:
            assert im.size == (28, 28) and im.mode == "RGB"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--class", "12"], "class index 12 is out of range: this model has classes 0..9"),
        (["--steps", "1"], "--steps must be at least 2, not '1'"),
        (["--method", "saliency", "--steps", "8"], "--steps: not a parameter of explanation method 'saliency'"),
        (
            ["--method", "gradcam", "--layer", "features.9"],
            "--layer: 'features.9' is not a layer of the model; layers with feature maps: features.0, ",
        ),
        (["--method", "gradcam", "--layer", "classifier.2"], "--layer: 'classifier.2' gives no feature maps; "),
        (["--method", "occlusion", "--window", "29"], "an occlusion window of 29 pixels does not fit a 28x28 image"),
    ],
)
def test_bad_input_ends_in_one_line_and_exit_2(capsys, extra, message):
    image = str(resource_path("images", "mnist-7.png"))
    assert main(["explain", image, "--model", "mnist-standard", "--device", "cpu", *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"inspector: error: {message}") and err.count("\n") == 1


def test_grad_cam_on_a_torchscript_network_says_it_sees_no_layer(mnist_model):
    from inspector.core.models.classifier import Classifier

    traced = torch.jit.trace(mnist_model.net, torch.zeros(1, 1, 28, 28))
    model = Classifier(traced, name="traced.pt", input_size=(28, 28), channels=1, class_names=mnist_model.class_names)
    x = digit(mnist_model, 3)
    assert EXPLANATION_METHODS.make("saliency").attribute(model, x, 3).map.shape == (28, 28)
    with pytest.raises(
        ModelError, match=r"^traced.pt: Grad-CAM needs a layer of feature maps, and the model shows none$"
    ):
        EXPLANATION_METHODS.make("grad-cam").attribute(model, x, 3)


def test_an_unknown_method_is_refused_by_name():
    with pytest.raises(ParameterError, match="unknown explanation method 'lime'"):
        EXPLANATION_METHODS.make("lime")
