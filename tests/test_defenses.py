"""Defences, adaptive attacks through them, and detectors, on the real model and real photos."""

import io
import json
import subprocess
import sys

import pytest
import torch
from conftest import DATA, IMAGENET_SAMPLE
from scipy.stats import betabinom, binom

from inspector.core.attacks import make_attack
from inspector.core.defenses import (
    DEFENSES,
    DefendedClassifier,
    Pipeline,
    defense_from_spec,
    detector_from_spec,
    parse_spec,
)
from inspector.core.defenses.detection import conformal_rank, min_calibration_images
from inspector.core.defenses.mc_dropout import dropout_layers
from inspector.core.evasion.calibration import calibration_images
from inspector.core.evasion.defended import detect
from inspector.core.evasion.inspect import inspect
from inspector.core.evasion.recipe import Recipe
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.io.image import load_image, load_tensor
from inspector.core.models.classifier import Classifier
from inspector.core.util.errors import ModelError, ParameterError

SPECS = [
    "jpeg:quality=75",
    "blur:sigma=1",
    "median:size=3",
    "bitdepth:bits=4",
    "resize:scale=0.5",
    "randpad:min_scale=0.85",
]


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


def flag_range(calibration_images: int, fpr: float, images: int, level: float = 0.001) -> tuple[int, int]:
    """The central 1 - level range of the false flags among ``images`` new clean images, with a threshold
    calibrated on ``calibration_images`` others like them.

    The threshold is the k-th smallest clean score (k the conformal rank), so the rate it flags is
    Beta(n + 1 - k, k) over calibration sets and the count of flags BetaBinomial(images, n + 1 - k, k).
    """
    k = conformal_rank(calibration_images, fpr)
    flags = betabinom(images, calibration_images + 1 - k, k)
    return int(flags.ppf(level / 2)), int(flags.ppf(1 - level / 2))


@pytest.fixture(scope="module")
def squeezing(model, imagenet_batch, ten):
    """Feature squeezing at fpr 0.1 calibrated on half of the sample photos not attacked in these tests:
    the detector, its threshold, the number of calibration photos and the clean photos of the other half."""
    x, _, files = imagenet_batch
    clean = x[[i for i, f in enumerate(files) if f not in ten[2]]]
    detector = detector_from_spec("squeeze:fpr=0.1")
    return detector, detector.calibrate(model, clean[::2]), len(clean[::2]), clean[1::2]


def test_feature_squeezing_keeps_its_false_positive_rate_on_other_photos(model, squeezing):
    detector, threshold, calibrated_on, held_out = squeezing
    flags = int((detector.score(model, held_out) > threshold).sum())
    low, high = flag_range(calibrated_on, detector.fpr, len(held_out))
    print(f"feature squeezing: {flags} of {len(held_out)} clean photos flagged (expected {low}-{high})")
    assert low <= flags <= high


def test_feature_squeezing_flags_adversarials(model, ten, squeezing, pgd_through_jpeg):
    """More adversarials are flagged than the calibrated false positive rate explains (one-sided binomial, p < 0.05)."""
    detector, threshold, _, _ = squeezing
    _, plain, _ = pgd_through_jpeg
    flagged = int((detector.score(model, plain) > threshold).sum())
    clean = int((detector.score(model, ten[0]) > threshold).sum())
    p_value = binom.sf(flagged - 1, len(plain), detector.fpr)
    print(
        f"feature squeezing: threshold {threshold:.3f}, adversarials flagged {flagged}/{len(plain)} "
        f"(p = {p_value:.3f} at fpr {detector.fpr}), clean {clean}/{len(plain)}"
    )
    assert p_value < 0.05 and flagged > clean


@pytest.mark.parametrize("fpr", [0.5, 0.3, 0.1, 0.05, 0.01])
def test_calibration_needs_enough_images_for_the_rate(mnist_model, mnist_digits, fpr):
    need = min_calibration_images(fpr)
    assert conformal_rank(need, fpr) <= need and conformal_rank(need - 1, fpr) > need - 1
    x = mnist_digits[0].repeat(need // len(mnist_digits[0]) + 1, 1, 1, 1)
    detector = detector_from_spec(f"squeeze:fpr={fpr}")
    assert detector.calibrate(mnist_model, x[:need]) >= 0
    with pytest.raises(
        ParameterError,
        match=f"{need - 1} clean images cannot calibrate a false positive rate of {fpr:g}: that takes at least {need}",
    ):
        detector.calibrate(mnist_model, x[: need - 1])


def test_mnist_detectors_keep_their_rate_on_held_out_digits(mnist_model):
    """The product's default for grey models, 400 shipped held-out digits, against the 1,600 other held-out digits."""
    x, _ = mnist_split(DATA / "mnist")["held_out"]
    shipped = torch.zeros(len(x), dtype=torch.bool)
    shipped[::5] = True
    assert torch.equal(calibration_images(mnist_model), x[shipped])  # every 5th held-out digit, unchanged
    others = x[~shipped]
    detectors = [detector_from_spec("squeeze"), detector_from_spec("dropout")]
    for detector, report in zip(detectors, detect(mnist_model, detectors, others[:1], others[1:2]), strict=True):
        assert report["available"] and report["calibration_images"] == 400
        flags = int((detector.score(mnist_model, others) > report["threshold"]).sum())
        low, high = flag_range(400, detector.fpr, len(others))
        print(
            f"{detector.name}: {flags} of {len(others)} clean digits flagged at fpr {detector.fpr} "
            f"(expected {low}-{high})"
        )
        assert low <= flags <= high


def test_dropout_uncertainty_on_efficientnet_and_a_model_without_dropout(model, ten):
    x = ten[0][:4]
    detector = detector_from_spec("dropout:samples=8")
    scores = detector.score(model, x)
    assert scores.shape == (4,) and (scores >= 0).all() and (scores > 0).any()
    assert torch.equal(scores, detector.score(model, x))  # seeded masks
    assert [m.training for m in dropout_layers(model)] == [False]  # its one dropout layer, switched off again
    with torch.no_grad():
        assert torch.equal(model(x), model(x))
    no_dropout = Classifier(
        torch.nn.Sequential(torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(3, 3)),
        name="linear",
        input_size=(224, 224),
        channels=3,
        class_names=["a", "b", "c"],
    )
    with pytest.raises(ModelError, match="no dropout layer"):
        detector.score(no_dropout, x)


def test_adaptive_adversarial_png_survives_pillow_jpeg(model, ten, tmp_path):
    """adversarial.png from an adaptive run, JPEG-compressed at q75 by Pillow, keeps the adversarial label."""
    _, y, files = ten
    kept = 0
    for i, path in enumerate(files[:4]):
        recipe = Recipe(
            image=str(path), params={"eps": "4/255", "steps": 10}, defenses=["jpeg:quality=75"], adaptive=True
        )
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


def test_inspect_reports_each_defence_the_pipeline_and_detections(model, ten, tmp_path):
    """Detectors calibrate on a folder of 19 clean photos (--calibration DIR): enough for fpr 0.05, not 0.01."""
    for path in [f for f in sorted(IMAGENET_SAMPLE.glob("*.JPEG")) if f not in ten[2]][:19]:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    recipe = Recipe(
        image=str(ten[2][0]),
        params={"steps": 2},
        defenses=["jpeg:quality=75", "blur:sigma=1"],
        detectors=["squeeze", "dropout:samples=4,fpr=0.01"],
        calibration=str(tmp_path),
    )
    result = inspect(recipe, model=model)
    summary = result.to_dict()
    assert summary["attack"]["mode"] == "non-adaptive"
    assert [d["defense"] for d in summary["defenses"]] == ["none", "jpeg:quality=75", "blur:sigma=1.0", "pipeline"]
    assert summary["defenses"][0]["adversarial"] == summary["adversarial"]
    top1 = [d["original"]["top_k"][0]["probability"] for d in summary["defenses"]]
    assert len(set(top1)) == 4  # each defence changes what the model sees
    squeeze, dropout = summary["detections"]
    assert squeeze["available"] and squeeze["calibration_images"] == 19
    # the threshold is the one these 19 photos calibrate, each score that of the image reported on; and
    # neither image is flagged: the photo scores 0.28 and its 2-step adversarial 0.17, far under 1.22
    detector = detector_from_spec("squeeze")
    assert squeeze["threshold"] == pytest.approx(detector.calibrate(model, calibration_images(model, tmp_path)))
    for side, image in (("original", result.x), ("adversarial", result.x_adv)):
        assert squeeze[side]["score"] == pytest.approx(detector.score(model, image).item(), rel=1e-5)
        assert squeeze[side]["score"] < squeeze["threshold"] / 2 and squeeze[side]["flagged"] is False
    assert not dropout["available"] and dropout["calibration_images"] == 19
    assert "19 clean images cannot calibrate a false positive rate of 0.01: that takes at least 99" in dropout["reason"]
    json.dumps(summary)


def test_colour_models_calibrate_on_the_three_sample_photos_by_default(model):
    """Too few for the default fpr: the report says so instead of a meaningless threshold."""
    x = calibration_images(model)
    assert x.shape == (3, 3, *model.input_size)
    (report,) = detect(model, [detector_from_spec("squeeze")], x[:1], x[1:2])
    assert not report["available"] and "or fpr >= 0.25" in report["reason"]


@pytest.mark.parametrize(
    "spec, message",
    [
        ("teleport", "unknown defence 'teleport'"),
        ("jpeg:quality=0", "below the minimum"),
        ("jpeg:quality=200", "above the maximum"),
        ("jpeg:quality=", "has no value"),
        ("jpeg:quality", "not of the form key=value"),
        ("jpeg:", "nothing after ':'"),
        ("blur:radius=2", "no parameter 'radius'"),
        ("bitdepth:bits=2.5", "not a whole number"),
    ],
)
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
    proc = subprocess.run(
        [sys.executable, "-m", "inspector", "attack", "whatever.png", "--defense", "jpeg:quality=101"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "inspector: error: defence 'jpeg' parameter 'quality': 101 is above the maximum 95"
    ]


def test_cli_prints_the_defence_table(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "inspector",
            "attack",
            "resources/images/coffee.png",
            "--steps",
            "1",
            "--defense",
            "jpeg:quality=75",
            "--adaptive",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "attack mode: adaptive" in proc.stdout
    assert any(line.strip().startswith("jpeg:quality=75") for line in proc.stdout.splitlines())
