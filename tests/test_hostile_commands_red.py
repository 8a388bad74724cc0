"""Red-team cases on the merged result: hostile arguments, recipes, data and output folders that got
past the first round of checks. Each ends in exit 2 with exactly one stderr line, before the work,
with nothing outside the chosen folder touched.

Most cases run in-process (``inspector.cli.main`` and capsys); the one that used to take tens of GB
runs in a subprocess (:func:`run_inspector`), which measures peak memory and time.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import warnings

import pytest
import torch
from hostile import run_inspector
from PIL import Image

from inspector.cli import main
from inspector.core.io.resources import resource_path
from inspector.core.models.labels import resolve_class
from inspector.core.util.errors import ClassNameError, InputWarning

DIGIT = str(resource_path("images", "mnist-3.png"))
MNIST = ["--model", "mnist-standard"]
MANY_DIGITS = "9" * 5000  # beyond Python's int-to-text limit: must not become a traceback


def refused(capsys, argv: list[str], *phrases: str) -> str:
    """Run the command in-process: exit 2, one stderr line holding every phrase; that line."""
    code = main(argv)
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("inspector: error: "), err
    for phrase in phrases:
        assert phrase in lines[0], (phrase, lines[0])
    return lines[0]


# ---- a class given as text: digits that are not ASCII, or too many of them ------------------------


@pytest.mark.parametrize(
    "text, phrase",
    [
        ("\u00b2", "no class named"),  # '²'.isdigit() is True, int('²') fails
        (MANY_DIGITS, "out of range"),  # int() refuses over 4,300 digits
        ("-" + MANY_DIGITS, "out of range"),
    ],
)
def test_a_class_index_that_int_cannot_read_is_refused(text, phrase):
    with pytest.raises(ClassNameError, match=phrase):
        resolve_class(text, [f"class {i}" for i in range(10)])


def test_attack_target_superscript_and_huge_index_are_one_line(capsys):
    for target, phrase in (("\u00b2", "no class named"), (MANY_DIGITS, "out of range")):
        line = refused(capsys, ["attack", DIGIT, *MNIST, "--attack", "fgsm", "--target", target], phrase)
        assert len(line) < 400, line


def test_labels_csv_with_a_superscript_label_is_one_line(capsys, tmp_path):
    shutil.copy(DIGIT, tmp_path / "a.png")
    (tmp_path / "labels.csv").write_text("file,label\na.png,\u00b2\n", encoding="utf-8")
    refused(
        capsys,
        ["evaluate", *MNIST, str(tmp_path), "--attack", "fgsm", "--eps", "0", "--no-sanity"],
        "labels.csv line 2",
        "no class named",
    )


@pytest.mark.parametrize("value", ["--5", MANY_DIGITS])
def test_a_whole_attack_parameter_int_cannot_read_is_refused(capsys, value):
    refused(capsys, ["attack", DIGIT, *MNIST, "--attack", "pgd", "--param", f"seed={value}"], "'seed'")


def test_evaluate_seed_of_many_digits_is_refused(capsys):
    refused(capsys, ["evaluate", *MNIST, "mnist-heldout", "--attack", "pgd", "--seed", MANY_DIGITS], "'seed'")


# ---- a model or weights path that is a device or a FIFO: never read ----------------------------------


def test_model_dev_zero_is_refused_unread():
    """It was read without end by torch.load: 19 GB, then killed."""
    outcome = run_inspector("classify", DIGIT, "--model", "/dev/zero")
    outcome.assert_refused("/dev/zero", "not a regular file")


def test_model_fifo_weights_device_and_recipe_model_are_refused(capsys, tmp_path):
    fifo = tmp_path / "net.pt"
    os.mkfifo(fifo)
    refused(capsys, ["classify", DIGIT, "--model", str(fifo)], "not a regular file")  # would wait forever
    refused(capsys, ["classify", DIGIT, "--model", "mnist-cnn", "--weights", "/dev/zero"], "not a regular file")
    recipe = tmp_path / "recipe.json"
    recipe.write_text(json.dumps({"image": DIGIT, "attack": "fgsm", "model": "/dev/zero"}))
    refused(capsys, ["replay", str(recipe)], "/dev/zero", "not a regular file")
    recipe.write_text(
        json.dumps({"image": DIGIT, "attack": "fgsm", "model": "mnist-standard", "surrogates": ["/dev/urandom"]})
    )
    refused(capsys, ["replay", str(recipe)], "/dev/urandom", "not a regular file")


# ---- a calibration folder of many tiny images: bounded, however many ------------------------------


def test_calibration_folder_uses_at_most_a_thousand_images(tmp_path, mnist_model):
    """5,000 one-pixel images (a recipe's "calibration") took 19 GB on a photo model: all at once."""
    from inspector.core.evasion.calibration import MAX_CALIBRATION_IMAGES, calibration_images

    Image.new("L", (1, 1)).save(tmp_path / "0000.png")
    for i in range(1, MAX_CALIBRATION_IMAGES + 5):
        os.link(tmp_path / "0000.png", tmp_path / f"{i:04d}.png")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        clean = calibration_images(mnist_model, tmp_path)
    assert clean.shape == (MAX_CALIBRATION_IMAGES, 1, 28, 28)
    assert any(issubclass(w.category, InputWarning) and "first 1,000" in str(w.message) for w in caught)


def test_detector_calibration_scores_in_bounded_batches():
    """The model sees at most CHUNK_VALUES input values at once, with the same threshold."""
    from inspector.core.defenses.detection import CHUNK_VALUES, Detector

    seen = []

    class Sum(Detector):
        fpr = 0.05

        def score(self, model, x):
            seen.append(x.numel())
            return x.flatten(1).sum(1)

    x = torch.rand(CHUNK_VALUES // (3 * 64 * 64) + 7, 3, 64, 64)
    threshold = Sum().calibrate(None, x)
    assert max(seen) <= CHUNK_VALUES and len(seen) == 2
    scores = x.flatten(1).sum(1).double().sort().values
    assert threshold == float(scores[int(torch.tensor((len(x) + 1) * 0.95).ceil()) - 1])


# ---- attack and replay --out-dir: checked before the attack runs ----------------------------------

#: An attack that runs for minutes: a refusal that comes after it is caught by the time bound.
LONG_ATTACK = ["--attack", "pgd", "--param", "steps=100000", "--param", "early_stop=false"]


def test_attack_out_dir_that_is_a_file_is_refused_before_the_attack(capsys, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("keep")
    start = time.monotonic()
    refused(capsys, ["attack", DIGIT, *MNIST, *LONG_ATTACK, "--out-dir", str(afile)], "it is a file, not a folder")
    assert time.monotonic() - start < 10
    assert afile.read_text() == "keep"


def test_attack_and_replay_out_dir_with_a_linked_member_are_refused_before_the_work(capsys, tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(outside, out / "result.json")
    start = time.monotonic()
    refused(
        capsys,
        ["attack", DIGIT, *MNIST, *LONG_ATTACK, "--out-dir", str(out)],
        "result.json",
        "a symbolic link is in its place",
    )
    recipe = tmp_path / "recipe.json"
    recipe.write_text(
        json.dumps(
            {
                "image": DIGIT,
                "model": "mnist-standard",
                "attack": "pgd",
                "params": {"steps": 100000, "early_stop": False},
            }
        )
    )
    refused(capsys, ["replay", str(recipe), "--out-dir", str(out)], "result.json", "a symbolic link is in its place")
    assert time.monotonic() - start < 20
    assert outside.read_text() == "keep"
    assert sorted(p.name for p in out.iterdir()) == ["result.json"]


def test_replay_names_a_hostile_image_name_on_one_line_without_terminal_escapes(capsys, tmp_path):
    """The recipe's image, read from its own folder, may carry an escape sequence and a newline."""
    name = "\x1b]0;owned\x07\nfake.png"
    shutil.copy(DIGIT, tmp_path / name)
    recipe = tmp_path / "recipe.json"
    recipe.write_text(json.dumps({"image": name, "model": "mnist-standard", "attack": "fgsm"}))
    assert main(["replay", str(recipe), "--json"]) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\x07" not in err
    assert "fake.png" in err
    assert len(err.splitlines()) == 2, err  # "replayed ..." and the comparison, each one line
