"""The learned adversarial detector (Metzen et al. 2017) on real digits: it recognises the attack it
was trained on better than an unseen one, the adaptive attack (Carlini and Wagner 2017) gets past
it, a hostile detector file is refused, and too few images for its false positive rate are refused."""

from __future__ import annotations

import json

import pytest
import torch
from hostile import run_main
from safetensors.torch import save_file

from inspector.core.attacks import make_attack
from inspector.core.defenses import detector_from_spec
from inspector.core.defenses.detector_file import load_detector, save_detector, sidecar_path
from inspector.core.learned_detector.adaptive import DetectorAwarePGD
from inspector.core.learned_detector.data import load_detector_data
from inspector.core.learned_detector.rates import detection_rates
from inspector.core.learned_detector.train import train_detector
from inspector.core.models.loading import load_model
from inspector.core.util.errors import ModelError, ParameterError

EPS = 0.3


@pytest.fixture(scope="module")
def mnist():
    return load_model("mnist-standard", "cpu")


@pytest.fixture(scope="module")
def trained(mnist):
    """An FGSM detector (a narrow one, for speed) trained on 300 shipped digits, calibrated and tested on held-out ones."""
    data = load_detector_data("mnist-train", mnist, limit=300, held_out=120, seed=0)
    fitted = train_detector(mnist, data, make_attack("fgsm", {"eps": EPS}), epochs=2, filters=8)
    assert fitted is not None
    return fitted, data


def test_detector_recognises_its_own_attack_better_than_an_unseen_one(mnist, trained):
    fitted, data = trained
    attacks = {
        "fgsm": make_attack("fgsm", {"eps": EPS}),
        # one strong constant instead of the search: most digits fooled in 30 steps, the L2 norm still small
        "cw": make_attack("cw", {"binary_search_steps": 1, "steps": 30, "initial_const": 10.0}),
    }
    x, y = data.x_test[:32], data.y_test[:32]
    clean, seen, unseen = detection_rates(mnist, fitted.net, fitted.info.threshold, x, y, attacks, "fgsm")
    assert seen.seen and not unseen.seen
    assert seen.count >= 20 and unseen.count >= 20  # enough adversarials for the intervals to mean something
    assert seen.interval[0] > unseen.interval[1], (seen.to_dict(), unseen.to_dict())
    assert clean.rate < 0.25  # the threshold holds on clean held-out digits (5 % expected; 32 images)


def test_adaptive_attack_lowers_the_detection_rate(mnist, trained):
    fitted, data = trained
    threshold, x, y = fitted.info.threshold, data.x_test[32:64], data.y_test[32:64]
    attacks = {
        "pgd": make_attack("pgd", {"eps": EPS, "steps": 20, "step_size": 2.5 * EPS / 20}),
        "pgd (adaptive)": DetectorAwarePGD(fitted.net, threshold, EPS, steps=20),
    }
    _, plain, adaptive = detection_rates(mnist, fitted.net, threshold, x, y, attacks, "fgsm")
    assert plain.count >= 20
    assert adaptive.interval[1] < plain.interval[0], (plain.to_dict(), adaptive.to_dict())


def test_saved_detector_scores_as_trained_through_its_spec(mnist, trained, tmp_path):
    fitted, data = trained
    path = tmp_path / "det.safetensors"
    save_detector(path, fitted.net, fitted.info)
    detector = detector_from_spec(f"learned:file={path}")
    x = data.x_test[:8]
    with torch.no_grad():
        assert torch.allclose(detector.score(mnist, x), fitted.net(x), atol=1e-6)
    with pytest.raises(ModelError, match="reads 1x28x28 inputs"):
        detector.score(mnist, torch.zeros(1, 3, 32, 32))


def _hostile_sidecars(info: dict) -> dict[str, object]:
    return {
        "not JSON": "{",
        "another format": info | {"format": "something else"},
        "huge width": info | {"filters": 10**9},
        "NaN threshold": json.dumps(info).replace(str(info["threshold"]), "NaN"),
        "fpr out of range": info | {"fpr": 3.0},
        "missing field": {k: v for k, v in info.items() if k != "channels"},
        "deep nesting": "[" * 100_000,
    }


def test_hostile_detector_files_are_refused(trained, tmp_path):
    fitted, _ = trained
    path = tmp_path / "det.safetensors"
    save_detector(path, fitted.net, fitted.info)
    info = json.loads(sidecar_path(path).read_text())
    for why, content in _hostile_sidecars(info).items():
        sidecar_path(path).write_text(content if isinstance(content, str) else json.dumps(content))
        with pytest.raises(ModelError) as refused:
            load_detector(path)
        assert "\n" not in str(refused.value), why
    sidecar_path(path).write_text(json.dumps(info))
    state = {k: v.clone() for k, v in fitted.net.state_dict().items()}
    for why, tampered in {
        "wrong shape": state | {"head.weight": torch.zeros(1, 4)},
        "extra tensor": state | {"extra": torch.zeros(1)},
        "not finite": state | {"head.bias": torch.tensor([float("inf")])},
    }.items():
        save_file(tampered, str(path))
        with pytest.raises(ModelError):
            load_detector(path)
        assert why
    path.write_bytes(b"\x00" * 64)
    with pytest.raises(ModelError, match="not a safetensors file"):
        load_detector(path)


def test_hostile_detector_file_ends_the_attack_command_in_one_line(capsys, tmp_path):
    path = tmp_path / "det.safetensors"
    path.write_bytes(b"garbage")
    sidecar_path(path).write_text("[" * 10_000)
    outcome = run_main(
        capsys,
        "attack",
        "resources/images/mnist-3.png",
        "--model",
        "mnist-standard",
        "--detect",
        f"learned:file={path}",
    )
    assert outcome.code == 0  # a detector that cannot be used is reported, as every other detector
    assert "detector learned" in outcome.stdout and "not available" in outcome.stdout


def test_too_few_images_for_the_fpr_are_refused_before_any_attack(mnist, capsys, tmp_path):
    data = load_detector_data("mnist-train", mnist, limit=50, held_out=20, seed=0)
    never = make_attack("fgsm", {"eps": EPS})
    never.run = None  # the check comes first: running the attack would fail the test
    with pytest.raises(ParameterError, match="10 held-out clean images cannot calibrate"):
        train_detector(mnist, data, never, fpr=0.05)
    out = tmp_path / "det.safetensors"
    outcome = run_main(
        capsys,
        "detector",
        "train",
        "--model",
        "mnist-standard",
        "--data",
        "mnist-train",
        "--limit",
        "50",
        "--held-out",
        "20",
        "--out",
        str(out),
    )
    outcome.assert_refused("cannot calibrate", "at least 19")
    assert not out.exists() and not sidecar_path(out).exists()


def test_learned_detector_without_a_file_is_reported_not_available(mnist):
    from inspector.core.evasion.defended import detect

    detector = detector_from_spec("learned")
    assert detector_from_spec(detector.spec()).spec() == detector.spec() == "learned:fpr=0.05"
    x = torch.zeros(1, 1, 28, 28)
    (report,) = detect(mnist, [detector], x, x)
    assert not report["available"] and "needs its file" in report["reason"]
