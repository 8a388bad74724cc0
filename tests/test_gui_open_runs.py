"""File > Open recipe routes each saved run to the workspace that opens its kind, with its settings:
an evaluation to Evaluate, a privacy result to Privacy, a poisoning run's result.json to
Training-time, a physical attack's result.json to Physical (the attack's result.json to Evasion is in test_gui_replay.py). The files are
written by the product's commands; a file of no known kind is one error, and the tab does not
change; `inspector replay` refuses a privacy or poisoning result."""

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


#: Digits the poisoning fixture trains and measures on (of the 8,000 and the 2,000): seconds, not minutes.
POISON_DIGITS = (400, 200)


@pytest.fixture(scope="module")
def poisoning(tmp_path_factory):
    """``inspector poison``'s result.json of a two-rate blend sweep (on a few hundred digits only)."""
    import inspector.core.poisoning.train as train

    whole = train.mnist_split

    def few(data=None):
        split = whole(data)
        return {name: (x[:n], y[:n]) for (name, (x, y)), n in zip(split.items(), POISON_DIGITS, strict=True)}

    out = tmp_path_factory.mktemp("poison")
    args = ["poison", "--trigger", "blend", "--alpha", "0.3", "--target", "3", "--rate", "2%,0.5%"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(train, "mnist_split", few)
        assert cli([*args, "--epochs", "2", "--seed", "7", "--out", str(out)]) == 0
    return out / "result.json"


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


def test_a_poisoning_run_opens_in_training_time_with_its_settings(window, poisoning):
    assert window.open_recipe(str(poisoning))
    ws = window.workspace()
    assert ws is window.workspaces["training-time"] and window.errors == []
    state = ws.state
    assert (state.attack, state.rates, state.epochs, state.seed) == ("badnets", "2%, 0.5%", 2, 7)
    assert state.attack_params == {"trigger": "blend", "size": 4, "alpha": 0.3, "target": 3}
    assert [c.attack.rate for c in state.configs()] == [0.02, 0.005]
    assert ws.setup.rates.text() == "2%, 0.5%" and ws.setup.seed.value() == 7 and ws.setup.epochs.value() == 2
    assert ws.setup.attack_settings.editors["trigger"].currentText() == "blend"


def test_the_command_line_does_not_replay_a_poisoning_result(poisoning, capsys):
    assert cli(["replay", str(poisoning)]) == 2
    err = capsys.readouterr().err.strip()
    assert "poisoning run's result is not replayed" in err and len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "change",
    [
        {"alpha": "0.3"},  # a parameter of the wrong type
        {"target": 10},  # a class the model lacks
        {"attack": "nothing"},
        {"epochs": 10**6},
    ],
)
def test_a_hostile_poisoning_run_is_one_error_and_the_tab_stays(window, poisoning, tmp_path, change):
    saved = json.loads(poisoning.read_text())
    saved["runs"][1]["config"].update(change)
    path = tmp_path / "result.json"
    path.write_text(json.dumps(saved))
    before = window.workspace()
    assert not window.open_recipe(str(path))
    assert len(window.errors) == 1 and "result.json" in window.errors[0] and "\n" not in window.errors[0]
    assert window.workspace() is before and window.workspaces["training-time"].state.attack_params == {}


@pytest.mark.parametrize(
    "content",
    [
        {"config": {"victim": "mnist-dp", "budgets": [10**9]}},  # a stealing run out of range
        {"config": {"model": "mnist-dp", "attack": {"max_iterations": "many"}}},  # MI-Face of the wrong type
        {"kind": "something else"},
        {"runs": [{"config": {"attack": "badnets", "rate": 0.01}}, {"config": {"attack": "badnets", "target": 5}}]},
        {"runs": [{"config": {"attack": "badnets"}}] * 101},  # more runs than a sweep may have
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


def physical_result(tmp_path, **recipe) -> str:
    """A physical attack's result.json as ``inspector physical`` writes it (its recipe is all that is read)."""
    base = {
        "kind": "rp2",
        "images": str(tmp_path / "make"),
        "held_out": str(tmp_path / "held"),
        "model": "gtsrb-standard",
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps({"kind": "rp2", "pattern_file": "sticker.png", "recipe": base | recipe}))
    return str(path)


def test_a_physical_run_opens_in_physical_with_its_settings_and_model(window, tmp_path):
    mask = tmp_path / "mask.png"
    path = physical_result(
        tmp_path, params={"steps": 7, "lr": 0.05}, views={"rotation": 5.0}, target="speed limit 30",
        mask=str(mask), views_per_image=9, defenses=["blur:sigma=2", "jpeg:quality=60"], adaptive=True,
    )  # fmt: skip
    assert window.open_recipe(path), window.errors
    ws = window.workspaces["physical"]
    assert window.workspace() is ws and window.errors == []
    assert window.session.model == "gtsrb-standard" and window.session.weights is None
    setup = ws.setup
    assert setup.kind.currentData() == "rp2" and setup.target.currentText() == "1: speed limit 30"
    assert setup.params.editors["steps"].value() == 7 and setup.params.editors["lr"].value() == 0.05
    assert setup.views.editors["rotation"].value() == 5.0
    assert setup.images.text() == str(tmp_path / "make") and setup.held_out.text() == str(tmp_path / "held")
    assert setup.mask.text() == str(mask) and setup.views_per_image.value() == 9
    panel = ws.defences
    assert [n for n, box in panel.checkboxes.items() if box.isChecked()] == ["jpeg", "blur"]  # the panel's order
    assert panel.forms["jpeg"].editors["quality"].value() == 60 and panel.adaptive.isChecked()
    assert ws.job_spec().defenses == ["blur:sigma=2.0", "jpeg:quality=60"] and ws.job_spec().adaptive  # the run's
    spec = ws.job_spec()
    assert (spec.kind, spec.params, spec.views, spec.target, spec.views_per_image) == (
        "rp2", {"steps": 7, "lr": 0.05}, {"rotation": 5.0}, "1", 9,
    )  # fmt: skip


def test_a_physical_run_whose_model_lacks_its_target_is_one_error_and_changes_nothing(window, tmp_path):
    path = physical_result(tmp_path, target="no such sign", params={"steps": 7}, defenses=["jpeg"])
    assert not window.open_recipe(path)
    assert len(window.errors) == 1 and "result.json" in window.errors[0] and "no class named" in window.errors[0]
    state = window.workspaces["physical"].state
    assert window.session.model == "mnist-standard" and state.params == {} and state.defenses == []
