"""Defences, adaptive attacks through them, and detectors, on the real model and real photos."""

import io
import json
import subprocess
import sys

import pytest
import torch

from inspector.core.attacks import make_attack
from inspector.core.defenses import (DEFENSES, DefendedClassifier, Pipeline, defense_from_spec,
                                     detector_from_spec, parse_spec)
from inspector.core.defenses.mc_dropout import dropout_layers
from inspector.core.errors import ModelError, ParameterError
from inspector.core.image import load_image, load_tensor
from inspector.core.models import Classifier
from inspector.core.run import Recipe, inspect

SPECS = ["jpeg:quality=75", "blur:sigma=1", "median:size=3", "bitdepth:bits=4", "resize:scale=0.5",
         "randpad:min_scale=0.85"]


@pytest.fixture(scope="module")
def ten(correct_batch):
    x, y, files = correct_batch
    return x[:10], y[:10], files[:10]


@pytest.fixture(scope="module")
def pgd_through_jpeg(model, ten):
    """PGD Linf eps 4/255, 10 steps, against the bare model and against JPEG q75 (BPDA)."""
    x, y, _ = ten
    jpeg = Pipeline([defense_from_spec("jpeg:quality=75")])
    attack = make_attack("pgd", {"eps": "4/255", "steps": 10, "step_size": "1/255"})
    plain = attack.run(model, x, y).x_adv
    adaptive = attack.run(DefendedClassifier(model, jpeg), x, y).x_adv
    return jpeg, plain, adaptive


def test_every_defence_keeps_most_clean_accuracy_and_changes_the_image(model, ten):
    x, y, _ = ten
    assert set(DEFENSES) == {s.split(":")[0] for s in SPECS}
    for spec in SPECS:
        out = defense_from_spec(spec).transform(x)
        assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1
        assert (out - x).abs().mean() > 1e-3, spec  # not the identity
        with torch.no_grad():
            accuracy = (model(out).argmax(1) == y).float().mean().item()
        assert accuracy >= 0.7, f"{spec}: clean accuracy {accuracy:.0%}"


def test_jpeg_quality_orders_the_distortion(ten):
    x = ten[0][:2]
    error = {q: (defense_from_spec(f"jpeg:quality={q}").transform(x) - x).abs().mean().item() for q in (10, 50, 95)}
    assert error[95] < error[50] < error[10]


def test_random_resize_pad_is_random_but_seeded(ten):
    x = ten[0][:2]
    a, b = (defense_from_spec("randpad:seed=1").transform(x) for _ in range(2))
    c = defense_from_spec("randpad:seed=2").transform(x)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_bpda_forward_is_exact_and_backward_passes_gradient(model, ten):
    x = ten[0][:1].clone().requires_grad_(True)
    pipeline = Pipeline([defense_from_spec("bitdepth:bits=3")])
    out = pipeline.differentiable(x)
    assert torch.equal(out.detach(), pipeline.apply(x))
    (grad,) = torch.autograd.grad(model(out)[0, 0], x)
    assert grad.abs().sum() > 0  # the exact transform has zero gradient almost everywhere


def test_non_adaptive_pgd_mostly_fails_through_jpeg_but_adaptive_succeeds(model, ten, pgd_through_jpeg):
    x, y, _ = ten
    jpeg, plain, adaptive = pgd_through_jpeg
    with torch.no_grad():
        bare = (model(plain).argmax(1) != y).float().mean().item()
        non_adaptive = (model(jpeg.apply(plain)).argmax(1) != y).float().mean().item()
        adapted = (model(jpeg.apply(adaptive)).argmax(1) != y).float().mean().item()
    print(f"PGD 4/255: bare {bare:.0%}, non-adaptive through JPEG {non_adaptive:.0%}, adaptive {adapted:.0%}")
    assert bare >= 0.9
    assert non_adaptive <= 0.6
    assert adapted >= 0.8
    assert (adaptive - x).abs().max() <= 4 / 255 + 1e-6


def test_feature_squeezing_calibrates_and_flags_adversarials(model, correct_batch, ten, pgd_through_jpeg):
    x_clean = correct_batch[0][10:30]
    detector = detector_from_spec("squeeze:fpr=0.1")
    threshold = detector.calibrate(model, x_clean)
    clean_flags = detector.score(model, x_clean) > threshold
    assert clean_flags.float().mean() <= 0.1 + 1e-6
    _, plain, _ = pgd_through_jpeg
    flagged = (detector.score(model, plain) > threshold).float().mean().item()
    held_out = (detector.score(model, ten[0]) > threshold).float().mean().item()
    print(f"feature squeezing: threshold {threshold:.3f}, adversarials flagged {flagged:.0%}, clean {held_out:.0%}")
    assert flagged >= 0.6 and flagged > held_out


def test_dropout_uncertainty_on_efficientnet_and_a_model_without_dropout(model, ten):
    x = ten[0][:4]
    detector = detector_from_spec("dropout:samples=8")
    scores = detector.score(model, x)
    assert scores.shape == (4,) and (scores >= 0).all() and (scores > 0).any()
    assert torch.equal(scores, detector.score(model, x))  # seeded masks
    assert [m.training for m in dropout_layers(model)] == [False]  # its one dropout layer, switched off again
    with torch.no_grad():
        assert torch.equal(model(x), model(x))
    no_dropout = Classifier(torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(3, 3)), name="linear",
                            input_size=(224, 224), channels=3, class_names=["a", "b", "c"])
    with pytest.raises(ModelError, match="no dropout layer"):
        detector.score(no_dropout, x)


def test_adaptive_adversarial_png_survives_pillow_jpeg(model, ten, tmp_path):
    """adversarial.png from an adaptive run, JPEG-compressed at q75 by Pillow, keeps the adversarial label."""
    _, y, files = ten
    kept = 0
    for i, path in enumerate(files[:4]):
        recipe = Recipe(image=str(path), params={"eps": "4/255", "steps": 10}, defenses=["jpeg:quality=75"],
                        adaptive=True)
        result = inspect(recipe, model=model)
        out = tmp_path / str(i)
        result.save(out)
        summary = json.loads((out / "result.json").read_text())
        assert summary["attack"]["mode"] == "adaptive" and summary["recipe"]["adaptive"] is True
        defended = {d["defense"]: d for d in summary["defenses"]}
        label = defended["jpeg:quality=75"]["adversarial"]["label"]["index"]
        buffer = io.BytesIO()
        load_image(out / "adversarial.png").save(buffer, format="JPEG", quality=75)
        (out / "adversarial.jpg").write_bytes(buffer.getvalue())
        with torch.no_grad():
            pred = model(load_tensor(out / "adversarial.jpg", model.input_size)).argmax(1).item()
        kept += pred == label and pred != int(y[i])
    assert kept >= 3


def test_inspect_reports_each_defence_the_pipeline_and_detections(model, ten):
    recipe = Recipe(image=str(ten[2][0]), params={"steps": 2}, defenses=["jpeg:quality=75", "blur:sigma=1"],
                    detectors=["squeeze", "dropout:samples=4"])
    summary = inspect(recipe, model=model).to_dict()
    assert summary["attack"]["mode"] == "non-adaptive"
    assert [d["defense"] for d in summary["defenses"]] == ["none", "jpeg:quality=75", "blur:sigma=1.0", "pipeline"]
    assert summary["defenses"][0]["adversarial"] == summary["adversarial"]
    top1 = [d["original"]["top_k"][0]["probability"] for d in summary["defenses"]]
    assert len(set(top1)) == 4  # each defence changes what the model sees
    squeeze, dropout = summary["detections"]
    assert squeeze["available"] and squeeze["calibration_images"] == 3
    assert isinstance(squeeze["adversarial"]["flagged"], bool) and dropout["available"]
    json.dumps(summary)


@pytest.mark.parametrize("spec, message", [
    ("teleport", "unknown defence 'teleport'"),
    ("jpeg:quality=0", "below the minimum"),
    ("jpeg:quality=200", "above the maximum"),
    ("jpeg:quality=", "has no value"),
    ("jpeg:quality", "not of the form key=value"),
    ("jpeg:", "nothing after ':'"),
    ("blur:radius=2", "no parameter 'radius'"),
    ("bitdepth:bits=2.5", "not a whole number"),
])
def test_bad_defence_specs(spec, message):
    with pytest.raises(ParameterError, match=message):
        defense_from_spec(spec)


def test_spec_parser():
    assert parse_spec("JPEG:quality=75") == ("jpeg", {"quality": "75"})
    assert parse_spec("blur") == ("blur", {})
    assert defense_from_spec(defense_from_spec("blur:sigma=2").spec()).sigma == 2.0
    with pytest.raises(ParameterError, match="unknown detector"):
        detector_from_spec("oracle")


def test_cli_bad_defence_is_one_line_exit_2():
    proc = subprocess.run([sys.executable, "-m", "inspector", "attack", "whatever.png", "--defense", "jpeg:quality=101"],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "inspector: error: defence 'jpeg' parameter 'quality': 101 is above the maximum 95"]


def test_cli_prints_the_defence_table(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "inspector", "attack", "resources/images/coffee.png", "--steps", "1",
                           "--defense", "jpeg:quality=75", "--adaptive"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "attack mode: adaptive" in proc.stdout
    assert any(line.strip().startswith("jpeg:quality=75") for line in proc.stdout.splitlines())
