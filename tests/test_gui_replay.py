"""File > Open recipe: the app replays a saved run (model, image, attack, parameters, defences,
thread count) and makes the adversarial `inspector replay` makes; a bad file is one error line."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image
from PySide6.QtWidgets import QMessageBox

from inspector.cli import main
from inspector.core.io.resources import resource_path
from inspector.core.replay import read_source, replay_attack
from inspector.core.util.threads import intra_op_threads
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.evasion.state import EvasionState

WAIT_MS = 120_000
DIGIT = str(resource_path("images/mnist-7.png"))


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    win = MainWindow(
        Session(model="mnist-standard", device="cpu"),
        Settings(tmp_path / "settings.json"),
        states={"evasion": EvasionState(image=str(resource_path("images/mnist-3.png")))},
    )
    win.errors = shown
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.show()
    yield win
    win.close()


def test_open_recipe_sets_the_view_and_gives_the_cli_replays_adversarial(window, qtbot, tmp_path):
    out = tmp_path / "run"
    with intra_op_threads(2):  # the app's worker runs with another count
        assert (
            main(
                [
                    "attack",
                    DIGIT,
                    "--model",
                    "mnist-standard",
                    "--attack",
                    "mifgsm",
                    "--eps",
                    "0.2",
                    "--step-size",
                    "0.05",
                    "--steps",
                    "4",
                    "--target",
                    "3",
                    "--defense",
                    "bitdepth:bits=4",
                    "--device",
                    "cpu",
                    "--out-dir",
                    str(out),
                ]
            )
            == 0
        )
    assert json.loads((out / "result.json").read_text())["recipe"]["threads"] == 2
    evasion = window.workspaces["evasion"]
    with qtbot.waitSignal(evasion.attack_finished, timeout=WAIT_MS) as done:
        assert window.open_recipe(str(out / "result.json"))
    inspection = done.args[0]
    state = evasion.state
    assert state.image == DIGIT and window.session.model == "mnist-standard"
    assert state.attack == "mifgsm" and evasion.attack_panel.attack_combo.currentData() == "mifgsm"
    assert state.attack_params()["steps"] == 4 and state.attack_params()["eps"] == pytest.approx(0.2)
    assert evasion.attack_panel.form.editors["steps"].value() == 4
    assert state.defenses == ["bitdepth"] and state.defense_values["bitdepth"]["bits"] == 4
    assert evasion.defense_panel.checkboxes["bitdepth"].isChecked() and state.target == 3
    assert inspection.recipe.threads == 2 and [d.defense for d in inspection.defended] == ["none", "bitdepth:bits=4"]
    cli = replay_attack(read_source(out / "result.json"))
    assert cli.matched and torch.equal(inspection.x_adv, cli.inspection.x_adv)
    saved = np.asarray(Image.open(out / "adversarial.png"))
    assert np.array_equal(
        np.asarray(Image.fromarray((inspection.x_adv[0, 0] * 255).round().to(torch.uint8).numpy())), saved
    )
    window.grab().save(str(tmp_path.parent / "open-recipe.png"))
    assert not window.errors


@pytest.mark.parametrize("text", ["{}", "[1, 2]", "not json at all"])
def test_a_bad_recipe_is_one_error_line_and_changes_nothing(window, tmp_path, text):
    path = tmp_path / "bad.json"
    path.write_text(text)
    attack = window.workspaces["evasion"].state.attack
    assert not window.open_recipe(str(path))
    assert len(window.errors) == 1 and "\n" not in window.errors[0] and "recipe" in window.errors[0]
    assert window.workspaces["evasion"].state.attack == attack
