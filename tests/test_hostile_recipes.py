"""A recipe, an evaluation's manifest or report replayed may come from an attacker.

It never decides what it may do: its ``"trust_model_code": true`` loads no pickled model (the
payload's marker file stays unwritten) unless the person says so (``replay --trust-model-code``,
the app's question); its Ray address is not connected to; its ``out`` is not written. Its
fields of the wrong type or range, its nesting, a FIFO in its place, malformed records: each
one line, exit 2, within the bounds.
"""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest
import torch
from hostile import run_inspector
from PySide6.QtWidgets import QMessageBox
from test_model_trust import MarkingModel

from inspector.cli import main
from inspector.core.evaluation import EvaluationConfig, evaluate
from inspector.core.evaluation.report import REPORT_RECIPE_ID
from inspector.core.io.resources import resource_path
from inspector.core.models.formats.pickled import CodePickleError
from inspector.core.replay import EvaluationSource, read_source, replay_attack, replay_evaluation
from inspector.core.util.errors import ParameterError, RecipeError
from inspector.core.util.threads import MAX_THREADS, intra_op_threads

DIGIT = str(resource_path("images", "mnist-3.png"))
TESTS = os.path.dirname(__file__)


@pytest.fixture
def pickled(tmp_path):
    """A real pickled whole model whose unpickling writes a marker file (code from the file ran)."""
    path, marker = tmp_path / "model.pt", tmp_path / "ran.txt"
    torch.save(MarkingModel(marker), path)
    (tmp_path / "model.pt.inspector.json").write_text('{"input_size": [28, 28], "channels": 1}')
    return path, marker


def attack_recipe(model: str, **fields) -> dict:
    return {
        "image": DIGIT,
        "model": model,
        "attack": "fgsm",
        "params": {"eps": "0.1"},
        "device": "cpu",
        "threads": 1,
    } | fields


def evaluation_config(model: str, **fields) -> dict:
    return {
        "data": "mnist-heldout",
        "model": model,
        "attacks": ["fgsm"],
        "eps": [0.1],
        "limit": 2,
        "batch_size": 2,
        "sanity": False,
        "device": "cpu",
        "threads": 1,
    } | fields


def report_with(recipe: dict) -> str:
    text = json.dumps(recipe).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<html><body><h1>Robustness</h1><script type="application/json" id="{REPORT_RECIPE_ID}">{text}</script>'


# ---- trust is never taken from the file ---------------------------------------------------------


def test_a_result_json_asking_for_trust_runs_no_code_and_the_flag_allows_it(pickled, tmp_path):
    path, marker = pickled
    run = tmp_path / "run"
    run.mkdir()
    (run / "result.json").write_text(json.dumps({"recipe": attack_recipe(str(path), trust_model_code=True)}))
    refused = run_inspector("replay", str(run / "result.json"))
    refused.assert_refused("pickled model", "--trust-model-code", '"trust_model_code": true is not taken as trust')
    assert not marker.exists()
    allowed = run_inspector("replay", str(run), "--trust-model-code", env={"PYTHONPATH": TESTS})
    assert allowed.code == 0, allowed.stderr[-2000:]
    assert marker.exists() and "replayed fgsm" in allowed.stdout


def test_a_manifest_or_a_report_asking_for_trust_runs_no_code(pickled, tmp_path, capsys):
    path, marker = pickled
    folder = tmp_path / "evaluation"
    folder.mkdir()
    recipe = {"config": evaluation_config(str(path), trust_model_code=True)}
    (folder / "manifest.json").write_text(json.dumps(recipe))
    (tmp_path / "report.html").write_text(report_with(recipe | {"tables": {"clean": {}, "robust": []}}))
    for source in (folder, folder / "manifest.json", tmp_path / "report.html"):
        read = read_source(source)
        assert isinstance(read, EvaluationSource) and not read.config.trust_model_code
        assert read.ignored == {"trust_model_code": True}
        with pytest.raises(CodePickleError):
            replay_evaluation(read)
        assert main(["replay", str(source)]) == 2
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and err[0].startswith("inspector: error:") and "not taken as trust" in err[0], err
        assert not marker.exists()


def test_surrogates_are_never_trusted(pickled, tmp_path):
    path, marker = pickled
    (tmp_path / "recipe.json").write_text(
        json.dumps(attack_recipe("mnist-standard", surrogates=[str(path)], trust_model_code=True))
    )
    source = read_source(tmp_path / "recipe.json")
    source.recipe.trust_model_code = True  # even with the person's trust in the target model
    with pytest.raises(CodePickleError):
        replay_attack(source)
    assert not marker.exists()


def test_a_ray_address_out_folder_and_resume_in_the_file_are_not_followed(tmp_path, capsys):
    folder, elsewhere = tmp_path / "evaluation", tmp_path / "elsewhere"
    folder.mkdir()
    config = evaluation_config("mnist-standard", ray="ray://10.255.255.1:10001", out=str(elsewhere), resume=True)
    (folder / "manifest.json").write_text(json.dumps({"config": config}))
    source = read_source(folder)
    assert source.config.ray is None and source.config.out is None and not source.config.resume
    assert source.ignored == {"ray": "ray://10.255.255.1:10001"}
    start = time.monotonic()
    assert main(["replay", str(folder)]) == 0
    assert time.monotonic() - start < 60
    captured = capsys.readouterr()
    assert "evaluation of mnist-standard" in captured.out and "ran on this machine" in captured.err
    assert not elsewhere.exists()
    assert main(["replay", str(folder), "--ray", "--limit", "1"]) == 2  # --ray is the person's; no records here
    assert "a limit needs the saved records" in capsys.readouterr().err


# ---- fields of the wrong type or range ----------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("params", [1, 2]),
        ("params", {"eps": [0.1]}),
        ("params", {"eps": {"nested": 1}}),
        ("threads", "8"),
        ("threads", 0),
        ("threads", 100_000),
        ("threads", 2.5),
        ("threads", True),
        ("top_k", -1),
        ("top_k", 10**12),
        ("top_k", "5"),
        ("defenses", "jpeg"),
        ("defenses", [1]),
        ("defenses", ["jpeg"] * 1000),
        ("detectors", {"a": 1}),
        ("adaptive", "true"),
        ("adaptive", 1),
        ("trust_model_code", "yes"),
        ("eot_samples", 10**9),
        ("eot_samples", "8"),
        ("image", 5),
        ("image", ["a.png"]),
        ("image", "x" * 100_000),
        ("model", None),
        ("attack", {"name": "pgd"}),
        ("target", [3]),
        ("target", -1),
        ("device", "cuda; rm -rf /"),
        ("device", 0),
        ("surrogates", ["mnist-dp"] * 100),
        ("surrogates", "mnist-dp"),
        ("calibration", 7),
        ("output_mode", None),
        ("throttle", ["1/s"]),
    ],
)
def test_a_recipe_field_of_the_wrong_type_or_range_is_one_line(tmp_path, field, value):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"recipe": attack_recipe("mnist-standard") | {field: value}}))
    with pytest.raises(RecipeError, match=f"result.json: the recipe: '{field}' must be") as caught:
        read_source(path)
    assert "\n" not in str(caught.value) and len(str(caught.value)) < 400


@pytest.mark.parametrize(
    "field, value",
    [
        ("batch_size", "16"),
        ("batch_size", 10**6),
        ("limit", 0),
        ("limit", 10**9),
        ("sanity_images", -5),
        ("eps", "0.1"),
        ("eps", [[0.1]]),
        ("eps", [True]),
        ("attacks", "pgd"),
        ("attacks", [None]),
        ("params", []),
        ("sanity", "no"),
        ("threads", 100_000),
        ("ray", 1),
        ("data", None),
        ("norm", ["linf"]),
    ],
)
def test_an_evaluation_config_field_of_the_wrong_type_or_range_is_one_line(tmp_path, field, value):
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"config": evaluation_config("mnist-standard") | {field: value}}))
    with pytest.raises(RecipeError, match=f"manifest.json: the evaluation's configuration: '{field}' must be"):
        read_source(path)


def test_a_recipe_with_100000_threads_ends_in_one_line_not_a_crash(tmp_path):
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"recipe": attack_recipe("mnist-standard", threads=100_000)}))
    run_inspector("replay", str(path)).assert_refused("'threads' must be", "1,024")
    with pytest.raises(ParameterError, match="at most 1024"), intra_op_threads(MAX_THREADS + 1):
        pass


@pytest.mark.parametrize(
    "data, phrase",
    [
        ({"recipe": {"attack": "pgd"}}, "lacks its 'image' field"),
        ({"recipe": attack_recipe("m"), "model": {"device": ["cpu"]}}, "the model's device: 'device' must be"),
        ({"config": evaluation_config("m"), "device": 3}, "the device: 'device' must be"),
        ({"config": evaluation_config("m"), "tables": {"clean": 5}}, "the report's tables must be"),
    ],
)
def test_the_other_fields_a_replay_reads_are_checked_too(tmp_path, data, phrase):
    path = tmp_path / "x.json"
    path.write_text(json.dumps(data))
    with pytest.raises(RecipeError, match=phrase):
        read_source(path)


# ---- the replayed file itself -------------------------------------------------------------------


def test_replaying_a_fifo_ends_in_one_line_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "result.json")
    run_inspector("replay", str(tmp_path / "result.json")).assert_refused("not a regular file", "result.json")
    with pytest.raises(RecipeError, match="not a regular file"):  # in its folder: refused, not skipped
        read_source(tmp_path)
    os.mkfifo(tmp_path / "report.html")
    with pytest.raises(RecipeError, match="not a regular file"):
        read_source(tmp_path / "report.html")


@pytest.mark.parametrize(
    "name, text",
    [
        ("result.json", "[" * 1_000_000),
        ("result.json", '{"recipe": ' * 100 + "{}" + "}" * 100),
        ("report.html", report_with({}).replace("{}", "[" * 100_000 + "]" * 100_000)),
    ],
)
def test_deep_json_in_a_recipe_or_report_is_one_line(tmp_path, name, text):
    (tmp_path / name).write_text(text)
    with pytest.raises(RecipeError, match="nested too deeply"):
        read_source(tmp_path / name)


def test_a_report_with_many_unclosed_recipe_tags_is_refused_in_linear_time(tmp_path):
    opener = f'<script type="application/json" id="{REPORT_RECIPE_ID}">'
    (tmp_path / "report.html").write_text(opener * 200_000)
    start = time.monotonic()
    with pytest.raises(RecipeError, match="not an evaluation report with a recipe"):
        read_source(tmp_path / "report.html")
    assert time.monotonic() - start < 5


def test_oversized_files_are_refused_before_being_read(tmp_path):
    with open(tmp_path / "result.json", "wb") as fh:
        fh.truncate(2**30)
    with pytest.raises(RecipeError, match="over the 16.0 MB"):
        read_source(tmp_path / "result.json")
    with open(tmp_path / "report.html", "wb") as fh:
        fh.truncate(2**30)
    with pytest.raises(RecipeError, match="over the 64.0 MB"):
        read_source(tmp_path / "report.html")


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory):
    """A real, small evaluation folder (2 digits, FGSM at one budget)."""
    out = tmp_path_factory.mktemp("evaluation") / "eval"
    evaluate(EvaluationConfig(**evaluation_config("mnist-standard"), out=str(out)))
    return out


@pytest.mark.parametrize(
    "corrupt, phrase",
    [
        (lambda lines: [lines[0], "not json", *lines[1:]], "line 2"),
        (lambda lines: [lines[0], "[1, 2]", *lines[1:]], "line 2 is not an evaluation record"),
        (
            lambda lines: [
                json.dumps({"image": ["x"], "attack": "a", "eps": 0, "setting": "s", "variant": "v"}),
                *lines,
            ],
            "line 1 is not an evaluation record",
        ),
        (lambda lines: ["[" * 100_000, *lines], "line 1: JSON nested too deeply"),
    ],
)
def test_malformed_records_of_a_replayed_evaluation_are_one_line(evaluation, tmp_path, capsys, corrupt, phrase):
    folder = shutil.copytree(evaluation, tmp_path / "eval")
    lines = (folder / "results.jsonl").read_text().splitlines()
    (folder / "results.jsonl").write_text("\n".join(corrupt(lines)) + "\n")
    assert main(["replay", str(folder)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "results.jsonl" in err[0] and phrase in err[0], err


def test_a_record_cut_short_at_the_end_is_left_out_and_a_fifo_of_records_is_refused(evaluation, tmp_path):
    folder = shutil.copytree(evaluation, tmp_path / "eval")
    text = (folder / "results.jsonl").read_text()
    (folder / "results.jsonl").write_text(text + text.splitlines()[0][:20])  # a crash while writing
    replay = replay_evaluation(read_source(folder))
    assert replay.matched and replay.checked == len(text.splitlines())
    (folder / "results.jsonl").unlink()
    os.mkfifo(folder / "results.jsonl")
    with pytest.raises(RecipeError, match="not a regular file"):
        replay_evaluation(read_source(folder))


# ---- the app's File > Open recipe ---------------------------------------------------------------


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    from inspector.gui.main_window import MainWindow
    from inspector.gui.session import Session
    from inspector.gui.settings import Settings
    from inspector.gui.workspaces.evasion.state import EvasionState

    shown, asked = [], []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    monkeypatch.setattr(
        QMessageBox, "warning", lambda parent, title, text, *a: (asked.append(text), QMessageBox.StandardButton.No)[1]
    )
    win = MainWindow(
        Session(model="mnist-standard", device="cpu"),
        Settings(tmp_path / "settings.json"),
        states={"evasion": EvasionState(image=DIGIT)},
    )
    win.errors, win.asked = shown, asked
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=120_000):
        win.show()
    yield win
    win.close()


def test_open_recipe_asking_for_trust_asks_the_person_and_declined_loads_nothing(window, qtbot, pickled, tmp_path):
    path, marker = pickled
    (tmp_path / "result.json").write_text(json.dumps({"recipe": attack_recipe(str(path), trust_model_code=True)}))
    assert not window.open_recipe(str(tmp_path / "result.json"))
    assert len(window.asked) == 1 and "is a pickled model" in window.asked[0] and "runs code" in window.asked[0]
    qtbot.wait(300)
    assert not window.workspaces["evasion"].shell.runner.busy()
    assert window.session.model == "mnist-standard" and not window.session.trust_code
    assert not marker.exists() and not window.errors
