"""Certified accuracy within an evaluation (``inspector evaluate --certify``): randomized smoothing
(Cohen, Rosenfeld and Kolter 2019, arXiv:1902.02918) on real MNIST digits with the shipped
mnist-smooth-0.25, the curve in the output, the results folder and the report, resuming, and
hostile folders and bad settings (one line, exit 2, before work)."""

from __future__ import annotations

import contextlib
import io
import json
import shutil

import pytest
import torch
from PIL import Image

from inspector.cli import main
from inspector.core.evaluation import EvaluationConfig
from inspector.core.evaluation.certified_records import CERTIFY, CURVE, smoothing_of
from inspector.core.evaluation.records import RESULTS, check_folder_before
from inspector.core.io.datasets.mnist import heldout_digits
from inspector.core.models.loading import load_model
from inspector.core.util.errors import ParameterError, RecipeError

MODEL = "mnist-smooth-0.25"
FAST = ["--attack", "fgsm", "--eps", "0,0.1", "--no-sanity", "--device", "cpu"]
SMOOTHING = ["--certify", "--n0", "10", "--n", "100"]


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    """A folder of 12 held-out digits: the first 9 and the first 3 the base classifier gets wrong."""
    model = load_model(MODEL, "cpu")
    x, y = heldout_digits()
    with torch.no_grad():
        wrong = (model(x).argmax(1) != y).nonzero().flatten()[:3].tolist()
    folder = tmp_path_factory.mktemp("digits")
    for i in [*range(9), *wrong]:
        pixels = (x[i, 0] * 255).round().to(torch.uint8).numpy()
        Image.fromarray(pixels, "L").save(folder / f"{int(y[i])}_{i:04d}.png")
    return folder


def run_json(args: list[str]) -> dict:
    """``inspector ARGS --json``, which must succeed; the JSON it prints."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main([*args, "--json"]) == 0
    return json.JSONDecoder().raw_decode(printed.getvalue())[0]  # a --report line may follow


@pytest.fixture(scope="module")
def evaluated(digits, tmp_path_factory):
    """The command, its JSON output, its folder and its report."""
    root = tmp_path_factory.mktemp("evaluated")
    out, report = root / "run", root / "report.html"
    args = ["evaluate", str(digits), "--model", MODEL, *FAST, *SMOOTHING, "--out", str(out)]
    return args, run_json([*args, "--report", str(report)]), out, report


def test_certified_accuracy_is_never_above_clean_accuracy_and_the_curve_never_rises(evaluated):
    _, result, _, _ = evaluated
    clean, curve = result["clean"]["none"], result["certified"]["curve"]
    assert result["images"] == 12 and clean["n"] == 12 and clean["correct"] == 9  # the 3 wrong digits
    assert curve[0]["radius"] == 0 and curve[0]["n"] == 12
    assert curve[0]["accuracy"] <= clean["accuracy"]
    assert curve[0]["certified"] >= 7  # the noise-trained model certifies most of its correct digits
    assert all(a["accuracy"] >= b["accuracy"] for a, b in zip(curve, curve[1:], strict=False))
    assert curve[-1]["accuracy"] == 0  # beyond what n = 100 samples can certify
    settings = result["certified"]["smoothing"]
    assert (settings["sigma"], settings["n0"], settings["n"]) == (0.25, 10, 100)  # sigma: the model's own


def test_the_folder_and_the_report_hold_the_curve(evaluated):
    _, result, out, report = evaluated
    assert json.loads((out / CURVE).read_text())["curve"] == result["certified"]["curve"]
    records = [json.loads(line) for line in (out / RESULTS).read_text().splitlines()]
    assert sum(r["attack"] == CERTIFY for r in records) == 12
    html = report.read_text()
    section = html[html.index("Certified accuracy") :]
    assert "certified accuracy against the radius" in section and "data:image/png;base64," in section
    for row in result["certified"]["curve"]:
        assert f">{row['certified']} of 12</td>" in section


def test_a_stopped_certification_resumes_to_the_same_certificates(evaluated, tmp_path):
    args, result, out, _ = evaluated
    folder = tmp_path / "run"
    shutil.copytree(out, folder)
    lines = (folder / RESULTS).read_text().splitlines(keepends=True)
    last = [i for i, line in enumerate(lines) if json.loads(line)["attack"] == CERTIFY][-3:]
    (folder / RESULTS).write_text("".join(line for i, line in enumerate(lines) if i not in last))
    (folder / CURVE).unlink()
    resumed = run_json([*args[:-1], str(folder), "--resume"])
    assert resumed["certified"]["per_image"] == result["certified"]["per_image"]
    assert json.loads((folder / CURVE).read_text())["curve"] == result["certified"]["curve"]


def certificate(**fields) -> str:
    base = {"image": "mnist-8000", "index": 0, "label": 7, "attack": CERTIFY, "eps": None, "setting": "none"}
    base |= {"variant": "main", "smoothed": 7, "radius": 0.4, "p_lower": 0.95, "clean": 7, "seconds": 1.0}
    return json.dumps(base | fields) + "\n"


@pytest.mark.parametrize(
    "line, words",
    [
        (certificate(smoothed=10), "'smoothed' 10 is not a class"),
        (certificate(smoothed="7"), "'smoothed'"),
        (certificate(clean=-1), "'clean' -1"),
        (certificate(radius=-0.1), "'radius' must be a number from 0"),
        (certificate(radius=1e9), "'radius'"),
        (certificate(p_lower=1.5), "'p_lower'"),
        (certificate(seconds=[1]), "'seconds'"),
        (certificate(smoothed=None, radius=0.4), "abstained"),
    ],
)
def test_a_hostile_certificate_record_is_refused_in_one_line(tmp_path, line, words):
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"config": {"threads": 1}}))
    (folder / RESULTS).write_text(certificate() + line)
    with pytest.raises(ParameterError, match=words) as err:
        check_folder_before(folder, resume=True, classes=10)
    assert "\n" not in str(err.value) and "line 2" in str(err.value)


def test_hostile_smoothing_settings_in_a_saved_configuration_are_refused():
    with pytest.raises(RecipeError, match="'smoothing'"):
        EvaluationConfig.from_dict({"data": "mnist-heldout", "smoothing": {"sigma": "0.25"}})
    config = EvaluationConfig.from_dict({"data": "mnist-heldout", "smoothing": {"sigma": 0.25, "evil": 1}})
    with pytest.raises(ParameterError, match="no setting 'evil'"):
        smoothing_of(config.smoothing)
    with pytest.raises(ParameterError, match="'n0'"):
        smoothing_of({"sigma": 0.25, "n0": 50, "n": 10})


@pytest.mark.parametrize(
    "flags",
    [
        ["--certify", "--sigma", "0"],
        ["--certify", "--sigma", "-0.5"],
        ["--certify", "--n0", "200", "--n", "100"],
        ["--certify", "--alpha", "0"],
        ["--certify", "--alpha", "1"],
        ["--n", "100"],  # without --certify
    ],
)
def test_bad_settings_are_one_line_exit_2_before_work(flags, capsys, tmp_path):
    out, report = tmp_path / "run", tmp_path / "r.html"
    args = ["evaluate", "mnist-heldout", "--model", MODEL, *FAST, "--limit", "1", "--out", str(out)]
    assert main([*args, "--report", str(report), *flags]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("inspector: error:")
    assert not out.exists() and not report.exists()
