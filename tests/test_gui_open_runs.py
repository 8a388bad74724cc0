"""File > Open recipe routes each saved run to the workspace that opens its kind, with its settings:
an evaluation to Evaluate, a privacy result to Privacy (the attack's result.json to Evasion is
in test_gui_replay.py). The files are written by the product's commands; a file of no known kind
is one error, and the tab does not change; `inspector replay` refuses a privacy result."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QMessageBox

from inspector.cli import main as cli
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Saved runs of each kind, each made by its command (tiny: seconds each)."""
    out = tmp_path_factory.mktemp("runs")
    commands = {
        "evaluation": [
            "evaluate",
            "mnist-heldout",
            "--model",
            "mnist-standard",
            "--attack",
            "fgsm",
            "--attack",
            "pgd",
            "--eps",
            "0,0.1",
            "--steps",
            "3",
            "--limit",
            "4",
            "--no-sanity",
        ],
        "stealing": [
            "steal",
            "--victim",
            "mnist-dp",
            "--budget",
            "20,40",
            "--method",
            "copycat",
            "--labels-only",
            "--epochs",
            "1",
            "--transfer-eps",
            "0",
        ],
        "inversion": ["invert", "--model", "mnist-pgd-at", "--max-iterations", "3", "--patience", "7"],
        "membership": ["membership", "--model", "mnist-dp", "--attack", "loss", "--members", "30"],
    }
    for name, args in commands.items():
        assert cli([*args, "--out", str(out / name)]) == 0, name
    return out


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    win = MainWindow(Session(model="mnist-standard", device="cpu"), Settings(tmp_path / "settings.json"))
    win.errors = shown
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


def test_an_evaluation_opens_in_evaluate_with_its_settings(window, runs):
    assert window.open_recipe(str(runs / "evaluation"))
    ws = window.workspace()
    assert ws is window.workspaces["evaluate"] and window.errors == []
    assert set(ws.state.attacks) == {"fgsm", "pgd"} and ws.state.eps == "0.0, 0.1" and ws.state.steps == 3
    assert ws.state.limit == 4 and ws.state.out is None
    assert ws.attack_panel.checkboxes["pgd"].isChecked() and ws.attack_panel.steps.value() == 3
    assert ws.attack_panel.eps.text() == "0.0, 0.1"


def test_a_stealing_run_opens_in_privacy_with_its_settings(window, runs):
    assert window.open_recipe(str(runs / "stealing" / "steal.json"))
    ws = window.workspace()
    assert ws is window.workspaces["privacy"] and window.errors == []
    settings = ws.state.stealing
    assert (ws.state.task, ws.state.victim, settings.method) == ("stealing", "mnist-dp", "copycat")
    assert (settings.budgets, settings.labels_only, settings.epochs) == ("20, 40", True, 1)
    assert ws.victim.currentText() == "mnist-dp" and ws.task_picker.currentData() == "stealing"
    editors = ws.forms.currentWidget().params.editors
    assert editors["budgets"].text() == "20, 40" and editors["labels_only"].isChecked()


def test_an_inversion_opens_in_privacy_with_mi_faces_settings(window, runs):
    assert window.open_recipe(str(runs / "inversion" / "inversion.json"))
    ws = window.workspace()
    assert ws is window.workspaces["privacy"] and window.errors == []
    assert (ws.state.task, ws.state.victim) == ("inversion", "mnist-pgd-at")
    assert (ws.state.inversion.max_iterations, ws.state.inversion.patience) == (3, 7)
    assert ws.forms.currentWidget().params.editors["patience"].value() == 7


def test_a_membership_run_opens_in_privacy_and_the_files_folders_are_not_taken(window, runs, tmp_path):
    saved = json.loads((runs / "membership" / "membership.json").read_text())
    saved["config"]["cache"] = str(tmp_path / "elsewhere")
    (tmp_path / "membership.json").write_text(json.dumps(saved))
    assert window.open_recipe(str(tmp_path / "membership.json"))
    ws = window.workspace()
    assert ws is window.workspaces["privacy"] and window.errors == []
    assert (ws.state.task, ws.state.victim, ws.state.membership.attack) == ("membership", "mnist-dp", "loss")
    from inspector.core.replay import read_source

    assert read_source(tmp_path / "membership.json").ignored == {"cache": str(tmp_path / "elsewhere")}


@pytest.mark.parametrize(
    "content",
    [
        {"config": {"victim": "mnist-dp", "budgets": [10**9]}},  # a stealing run out of range
        {"config": {"model": "mnist-dp", "attack": {"max_iterations": "many"}}},  # MI-Face of the wrong type
        {"kind": "something else"},
        [1, 2, 3],
    ],
)
def test_a_hostile_or_unknown_file_is_one_error_and_the_tab_stays(window, tmp_path, content):
    path = tmp_path / "run.json"
    path.write_text(json.dumps(content))
    before = window.workspace()
    assert not window.open_recipe(str(path))
    assert len(window.errors) == 1 and "run.json" in window.errors[0] and "\n" not in window.errors[0]
    assert window.workspace() is before


def test_a_privacy_run_on_a_model_file_is_refused_with_one_error(window, runs, tmp_path):
    saved = json.loads((runs / "stealing" / "steal.json").read_text())
    saved["config"]["victim"] = str(tmp_path / "net.pt")
    (tmp_path / "steal.json").write_text(json.dumps(saved))
    assert not window.open_recipe(str(tmp_path / "steal.json"))
    assert len(window.errors) == 1 and "built-in MNIST models" in window.errors[0]
    assert window.workspaces["privacy"].state.victim == "mnist-standard"


def test_the_command_line_does_not_replay_a_privacy_result(runs, capsys):
    assert cli(["replay", str(runs / "stealing" / "steal.json")]) == 2
    err = capsys.readouterr().err.strip()
    assert "stealing run's result is not replayed" in err and len(err.splitlines()) == 1


def test_a_saved_run_dropped_on_the_window_opens_like_open_recipe(window, runs):
    from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(runs / "inversion" / "inversion.json"))])
    event = QDropEvent(
        QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    assert window.workspace() is window.workspaces["privacy"] and window.errors == []
    assert window.workspace().state.inversion.patience == 7
