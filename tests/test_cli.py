"""The `inspector` command on real photos: results, files, round trip and bad input."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from inspector.attack_flags import attack_params
from inspector.cli import build_parser, main
from inspector.core.io.resources import resource_path

COFFEE = str(resource_path("images", "coffee.png"))


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_classify_coffee(capsys):
    code, out, _ = run_cli(capsys, "classify", COFFEE, "--json", "--top", "3")
    assert code == 0
    result = json.loads(out)
    assert result["label"]["name"] == "espresso" and len(result["top_k"]) == 3


def test_attack_writes_files_that_round_trip(capsys, tmp_path):
    out_dir = tmp_path / "out"
    code, out, _ = run_cli(
        capsys,
        "attack",
        COFFEE,
        "--attack",
        "pgd",
        "--eps",
        "2/255",
        "--steps",
        "10",
        "--step-size",
        "0.5/255",
        "--device",
        "cpu",
        "--out-dir",
        str(out_dir),
        "--json",
    )
    assert code == 0
    result = json.loads(out)
    assert result["success"] and result["true_label"]["name"] == "espresso"
    assert result["norms"]["linf_grey"] <= 2.0 + 1e-4
    assert result["gradient_evaluations"] == 10 and result["attack_time_s"] > 0
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "adversarial.png",
        "original.png",
        "perturbation.png",
        "result.json",
    ]
    assert json.loads((out_dir / "result.json").read_text())["success"]
    with Image.open(out_dir / "original.png") as original, Image.open(out_dir / "adversarial.png") as adversarial:
        assert original.size == adversarial.size == (224, 224)
        diff = np.abs(np.asarray(original, dtype=np.int16) - np.asarray(adversarial, dtype=np.int16))
    assert diff.max() <= 2
    # the saved file, opened again, gets the label the attack reported
    code, out, _ = run_cli(capsys, "classify", str(out_dir / "adversarial.png"), "--json")
    assert json.loads(out)["label"]["index"] == result["adversarial"]["label"]["index"]


def test_targeted_attack_by_class_name(capsys):
    code, out, _ = run_cli(capsys, "attack", COFFEE, "--eps", "8/255", "--steps", "20", "--target", "tabby", "--json")
    result = json.loads(out)
    assert code == 0 and result["success"]
    assert result["adversarial"]["label"]["index"] == result["target"]["index"] == 281


def test_paper_preset_sets_the_published_values_and_flags_override_them():
    digit = str(resource_path("images", "mnist-7.png"))

    def params(*flags):
        return attack_params(build_parser().parse_args(["attack", digit, "--attack", "square", *flags]))

    assert params("--preset", "paper") == {"max_queries": 10000}
    assert params("--preset", "paper", "--param", "max_queries=20") == {"max_queries": "20"}
    assert params("--param", "max_queries=20") == {"max_queries": "20"}
    assert params() == {}


def test_models_and_attacks_are_listed(capsys):
    assert "efficientnet-lite0" in run_cli(capsys, "models")[1]
    listing = run_cli(capsys, "attacks")[1]
    assert "pgd" in listing and "step_size" in listing and "Madry" in listing
    assert "max_queries      default 500 (--preset paper: 10000)" in listing
    assert "eps              default 4/255:" in listing and "0.0156" not in listing  # budgets in grey levels
    assert "learning_rate    default auto (--preset paper: 0.01)" in listing  # C&W's 0 means a rate chosen per size


@pytest.mark.parametrize(
    "args, message",
    [
        (["classify", "nowhere.png"], "nowhere.png: no such image file"),
        (["attack", "{bad_image}"], "not an image"),
        (["attack", COFFEE, "--model", "nonsense"], "unknown model 'nonsense'"),
        (["attack", COFFEE, "--model", "{bad_image}"], "not a TorchScript model"),
        (["attack", COFFEE, "--eps", "4//255"], "is not a number"),
        (["attack", COFFEE, "--eps", "2"], "above the maximum"),
        (["attack", COFFEE, "--target", "unicorn"], "no class named 'unicorn'"),
        (["attack", COFFEE, "--target", "4000"], "out of range"),
        (["attack", COFFEE, "--device", "quantum"], "unknown device"),
        (["attack", COFFEE, "--attack", "fgsm", "--steps", "5"], "no parameter 'steps'"),
        (["classify", COFFEE, "--top", "0"], "--top must be at least 1"),
        (["attack", COFFEE, "--preset", "fastest"], "unknown preset 'fastest': choose one of default, paper"),
    ],
)
def test_bad_input_gives_one_line_and_no_files(capsys, tmp_path, args, message):
    bad = tmp_path / "bad.png"
    bad.write_text("hello")
    out_dir = tmp_path / "out"
    args = [a.replace("{bad_image}", str(bad)) for a in args]
    if args[0] == "attack":
        args += [
            "--out-dir",
            str(out_dir),
            "--steps" if "--steps" not in args and "fgsm" not in args else "--seed",
            "1",
        ]
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("inspector: error:") and message in err
    assert "Traceback" not in err
    assert not out_dir.exists() or not any(out_dir.iterdir())


def test_console_script_runs_as_a_process():
    proc = subprocess.run(
        [sys.executable, "-m", "inspector", "classify", "missing.png"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 2 and proc.stderr.strip() == "inspector: error: missing.png: no such image file"
