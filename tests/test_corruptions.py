"""The common corruptions (Hendrycks and Dietterich 2019): clean at severity 0, seeded, 8-bit in and
out at any size, harder for a real model at severity 5, and bad input refused in one line."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from inspector.cli import main
from inspector.core.corruptions.benchmark import corruption_errors, run_corruptions
from inspector.core.corruptions.names import NAMES
from inspector.core.corruptions.registry import CORRUPTIONS, corrupt, corrupt_batch
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.evasion.samples import road_sign_images
from inspector.core.io.datasets.mnist import heldout_digits
from inspector.core.io.resources import default_image
from inspector.core.util.errors import ImageError, ParameterError

#: The corruptions that draw at random (the others are the same whatever the seed).
RANDOM = {
    "gaussian-noise",
    "shot-noise",
    "impulse-noise",
    "glass-blur",
    "motion-blur",
    "snow",
    "frost",
    "fog",
    "elastic-transform",
}


@pytest.fixture(scope="module")
def sign() -> np.ndarray:
    """The shipped stop sign, 32x32 RGB uint8 as a road-sign model reads it."""
    return np.asarray(Image.open(road_sign_images()[0]).convert("RGB").resize((32, 32)))


@pytest.fixture(scope="module")
def digit() -> np.ndarray:
    """A real held-out MNIST digit, 28x28 grey uint8."""
    return (heldout_digits()[0][0, 0] * 255).round().to(torch.uint8).numpy()


def test_the_names_importable_without_torch_are_the_registry_s_in_order():
    assert tuple(CORRUPTIONS) == NAMES and len(NAMES) == 15


@pytest.mark.parametrize("name", NAMES)
def test_severity_0_is_the_clean_image(name, sign, digit):
    for image in (sign, digit):
        assert np.array_equal(corrupt(image, name, 0, seed=3), image)


@pytest.mark.parametrize("name", NAMES)
def test_each_corruption_is_the_same_under_a_seed_and_changes_the_image(name, sign, digit):
    for image in (sign, digit):
        for severity in (1, 5):
            once, again = corrupt(image, name, severity, seed=7), corrupt(image, name, severity, seed=7)
            assert np.array_equal(once, again)
            assert once.dtype == np.uint8 and once.shape == image.shape
            assert np.abs(once.astype(int) - image.astype(int)).mean() > 0.5, (name, severity, image.shape)
    if name in RANDOM:
        assert not np.array_equal(corrupt(sign, name, 3, seed=7), corrupt(sign, name, 3, seed=8))


@pytest.mark.parametrize("shape", [(224, 224, 3), (40, 64, 3), (28, 28)])
def test_every_corruption_gives_uint8_of_the_input_shape_at_any_size(shape):
    photo = Image.open(default_image()).convert("RGB" if len(shape) == 3 else "L").resize(shape[1::-1])
    image = np.asarray(photo)
    for name in NAMES:
        out = corrupt(image, name, 5)
        assert out.dtype == np.uint8 and out.shape == shape, name


def test_the_severities_draw_the_same_noise_only_stronger(sign):
    """What makes the smallest flipping severity meaningful: severity 5 moves each value further than 1."""
    low, high = (corrupt(sign, "gaussian-noise", s, seed=1).astype(int) - sign.astype(int) for s in (1, 5))
    unclipped = (sign > 100) & (sign < 155)
    assert (np.sign(low) * np.sign(high) >= 0)[unclipped].all()
    assert np.abs(high).mean() > 2 * np.abs(low).mean()


def test_impulse_noise_at_severity_5_lowers_the_accuracy_on_real_digits(mnist_model):
    x, y = heldout_digits()
    run = run_corruptions(
        mnist_model, "mnist-standard", x[:400], y[:400], corruptions=["impulse-noise"], severities=[5]
    )
    n = len(y[:400])
    clean_hits = int((run.clean == run.labels).sum())
    noisy_hits = int(run.correct()[:, 0, 0].sum())
    assert wilson_interval(noisy_hits, n)[1] < wilson_interval(clean_hits, n)[0]
    flips = run.flip_severity()[:, 0]
    changed = run.predictions[:, 0, 0] != run.clean
    assert torch.equal(flips == 5, changed) and set(flips.tolist()) <= {0, 5}
    # against itself a model's mCE is 100 %
    assert corruption_errors(run, run).mce == pytest.approx(1.0)


def test_corrupt_batch_at_severity_0_only_rounds_to_8_bits():
    x = torch.rand(2, 3, 16, 16)
    assert torch.equal(corrupt_batch(x, "fog", 0), (x * 255).round() / 255)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda img: corrupt(img, "rain", 1), ParameterError, "unknown corruption 'rain'"),
        (lambda img: corrupt(img, "fog", 6), ParameterError, "severity 6 outside 0-5"),
        (lambda img: corrupt(img, "fog", -1), ParameterError, "outside 0-5"),
        (lambda img: corrupt(img, "fog", 2.5), ParameterError, "outside 0-5"),
        (lambda img: corrupt(img, "fog", True), ParameterError, "outside 0-5"),
        (lambda img: corrupt(img.astype(np.float32), "fog", 1), ImageError, "uint8"),
        (lambda img: corrupt(np.dstack([img, img[:, :, :1]]), "fog", 1), ImageError, "channels"),
        (lambda img: corrupt(img[:4, :4], "fog", 1), ImageError, "sides 8 or more"),
    ],
)
def test_bad_input_to_corrupt_is_refused(sign, call, error, message):
    with pytest.raises(error, match=message):
        call(sign)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--corruptions", "rain"], "unknown corruption 'rain'"),
        (["--severities", "6"], "severity 6 outside 1-5"),
        (["--severities", "0"], "severity 0 outside 1-5"),
        (["--severities", "1,x"], "severity 'x' is not a whole number"),
        (["--corruptions", "fog,fog"], "named twice"),
    ],
)
def test_bad_input_ends_in_one_line_and_exit_2(capsys, extra, message):
    assert main(["corrupt", "mnist-heldout", "--model", "mnist-standard", "--device", "cpu", *extra]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_corrupt_reports_accuracy_mce_and_flips_and_writes_the_report(tmp_path, capsys):
    args = ["corrupt", "mnist-heldout", "--model", "mnist-standard", "--baseline", "mnist-pgd-at", "--device", "cpu"]
    args += ["--corruptions", "impulse-noise,contrast", "--severities", "1,5", "--limit", "60", "--json"]
    assert main([*args, "--out", str(tmp_path)]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert json.loads((tmp_path / "corruptions.json").read_text()) == printed
    standard, robust = printed["runs"]
    assert standard["images"] == 60 and set(standard["accuracy"]) == {"impulse-noise", "contrast"}
    assert standard["accuracy"]["impulse-noise"]["5"] < standard["accuracy"]["impulse-noise"]["1"] + 1e-9
    assert len(standard["flip_severity"]) == 60
    errors = {e["model"]: e for e in printed["errors"]}
    assert (
        errors["mnist-pgd-at"]["mce"] == pytest.approx(1.0) and errors["mnist-standard"]["baseline"] == "mnist-pgd-at"
    )
    assert errors["mnist-pgd-at"]["relative_mce"] == pytest.approx(1.0)
    assert "mCE against mnist-pgd-at" in (tmp_path / "report.html").read_text()
