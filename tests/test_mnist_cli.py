"""`inspector` on a real 28x28 digit PNG with the MNIST models: classify, attack, compare, models."""

import json

import pytest
from conftest import DATA
from PIL import Image

from inspector.cli import main
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.io.image import to_pil
from inspector.core.models.loading import builtin_models


@pytest.fixture(scope="module")
def digit(tmp_path_factory):
    """The first held-out digit as a grey 28x28 PNG, and its true label."""
    x, y = mnist_split(DATA / "mnist")["held_out"]
    path = tmp_path_factory.mktemp("digits") / "digit.png"
    to_pil(x[0]).save(path)
    return str(path), str(int(y[0]))


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


ATTACK = ["--eps", "0.3", "--steps", "20", "--step-size", "0.025", "--device", "cpu"]


def test_models_lists_the_mnist_models(capsys):
    out = run_cli(capsys, "models")[1]
    task = "MNIST digits, 10 classes, 28x28 grey"
    digit_models = [name for name, info in builtin_models().items() if info.task == task]  # a new one joins
    assert {"mnist-standard", "mnist-pgd-at", "mnist-distilled", "mnist-backdoor", "mnist-dp"} <= set(digit_models)
    for name in digit_models:
        assert f"{name} " in out
    assert out.count(task) == len(digit_models)


@pytest.mark.parametrize("name", ["mnist-standard", "mnist-pgd-at", "mnist-distilled"])
def test_classify_grey_digit(capsys, digit, name):
    path, label = digit
    code, out, _ = run_cli(capsys, "classify", path, "--model", name, "--json", "--top", "3")
    assert code == 0 and json.loads(out)["label"]["name"] == label


def test_attack_grey_digit_round_trips(capsys, digit, tmp_path):
    path, label = digit
    code, out, _ = run_cli(
        capsys, "attack", path, "--model", "mnist-standard", *ATTACK, "--out-dir", str(tmp_path), "--json"
    )
    result = json.loads(out)
    assert code == 0 and result["success"] and result["true_label"]["name"] == label
    assert result["model"]["channels"] == 1 and result["model"]["input_size"] == [28, 28]
    assert result["norms"]["linf_grey"] <= 76 + 1e-4
    with Image.open(tmp_path / "adversarial.png") as adversarial:
        assert adversarial.mode == "L" and adversarial.size == (28, 28)
    code, out, _ = run_cli(capsys, "classify", str(tmp_path / "adversarial.png"), "--model", "mnist-standard", "--json")
    assert json.loads(out)["label"]["index"] == result["adversarial"]["label"]["index"]


def test_compare_transfer_and_direct(capsys, digit):
    path, label = digit
    code, out, _ = run_cli(
        capsys,
        "attack",
        path,
        "--model",
        "mnist-standard",
        *ATTACK,
        "--compare",
        "mnist-pgd-at",
        "mnist-distilled",
        "--compare-direct",
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert result["source"]["attack"]["loss"] == "ce" and result["source"]["success"]
    rows = {r["model"]: r for r in result["models"]}
    assert list(rows) == ["mnist-standard", "mnist-pgd-at", "mnist-distilled"]
    assert all(r["original"]["label"]["name"] == label for r in rows.values())
    assert rows["mnist-standard"]["transfer_fooled"] and rows["mnist-standard"]["direct"]["success"]
    # the adversarial is the same pixels for every model: the source's own verdict repeats in its transfer row
    assert rows["mnist-standard"]["transfer"] == result["source"]["adversarial"]
    assert rows["mnist-pgd-at"]["direct"]["attack"]["loss"] == "ce"
    assert not rows["mnist-pgd-at"]["transfer_fooled"]
    # gradient masking: the distilled model falls to the transferred adversarial, not to a direct CE attack
    assert rows["mnist-distilled"]["transfer_fooled"] and not rows["mnist-distilled"]["direct"]["success"]
    # text output: one line per model
    code, out, _ = run_cli(capsys, "attack", path, "--model", "mnist-standard", *ATTACK, "--compare", "mnist-pgd-at")
    assert code == 0 and "(loss ce)" in out and "mnist-pgd-at" in out and "transfer" in out


def test_compare_needs_same_input(capsys, digit):
    code, _, err = run_cli(
        capsys, "attack", digit[0], "--model", "mnist-standard", "--steps", "1", "--compare", "efficientnet-lite0"
    )
    assert code == 2 and "models must take the same channels and classes" in err
    code, _, err = run_cli(capsys, "attack", digit[0], "--model", "mnist-standard", "--compare-direct")
    assert code == 2 and "--compare-direct needs --compare" in err
