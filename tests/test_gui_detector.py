"""The Evasion workspace's "Train detector…" job, offscreen: a learned detector trained on real digits
against the loaded model, then checked in the defence panel with its file; and a cancelled run that
writes nothing."""

from __future__ import annotations

import pytest

from inspector.core.io.resources import resource_path
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.evasion.state import EvasionState

WAIT_MS = 180_000


@pytest.fixture
def evasion(qtbot, tmp_path):
    win = MainWindow(
        Session(model="mnist-standard", device="cpu"),
        Settings(tmp_path / "settings.json"),
        states={"evasion": EvasionState(image=str(resource_path("images", "mnist-7.png")))},
    )
    qtbot.addWidget(win)
    ws = win.workspaces["evasion"]
    with qtbot.waitSignal(ws.preview_ready, timeout=WAIT_MS):
        win.show()
    yield ws
    win.close()


def _dialog(ws, out):
    ws.defense_panel.train_button.click()
    dialog = ws.detector_dialog
    assert dialog.data.text() == "mnist-train" and dialog.attack.currentData() == "fgsm"
    dialog.limit.setValue(40)
    dialog.epochs.setValue(1)
    dialog.out.setText(str(out))
    return dialog


def test_trained_detector_is_checked_in_the_defence_panel(qtbot, evasion, tmp_path):
    out = tmp_path / "det.safetensors"
    dialog = _dialog(evasion, out)
    seen = []
    with qtbot.waitSignal(dialog.ended, timeout=WAIT_MS) as ended:
        dialog.bar.run_button.click()
        dialog.job.progress.connect(lambda p: seen.append(p.stage))
    assert ended.args[0] is not None and out.is_file() and (tmp_path / "det.detector.json").is_file()
    assert seen[0] == "attack" and seen[-1] == "train"
    assert "learned" in evasion.state.detectors and evasion.state.detector_values["learned"]["file"] == str(out)
    assert evasion.defense_panel.checkboxes["learned"].isChecked()
    assert "saved" in dialog.bar.stage.text()


def test_cancelled_training_writes_nothing(qtbot, evasion, tmp_path):
    out = tmp_path / "det.safetensors"
    dialog = _dialog(evasion, out)
    with qtbot.waitSignal(dialog.ended, timeout=WAIT_MS) as ended:
        dialog.bar.run_button.click()
        assert dialog.bar.cancel_button.isEnabled()
        dialog.bar.cancel_button.click()
    assert ended.args[0] is None and not out.exists()
    assert "learned" not in evasion.state.detectors and "cancelled" in dialog.bar.stage.text()
