"""The Harden workspace, offscreen with pytest-qt: a short PGD-AT run on real digits (cancel, then
resume from the checkpoint), the live curves, before/after, and the model handed to the picker."""

from __future__ import annotations

import pytest

from inspector.core.io.resources import resource_path
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.evasion.state import EvasionState
from inspector.gui.workspaces.harden.state import HardenState

WAIT_MS = 180_000
DIGIT = resource_path("images", "mnist-7.png")


@pytest.fixture
def main(qtbot, tmp_path):
    state = HardenState(params={"epochs": 2, "steps": 2, "warmup": 0}, folder=str(tmp_path / "out"))
    win = MainWindow(
        Session(model="mnist-standard", device="cpu"),
        Settings(tmp_path / "settings.json"),
        states={"harden": state, "evasion": EvasionState(image=str(DIGIT))},
    )
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.show()
    win.tabs.setCurrentWidget(win.workspaces["harden"])
    yield win
    win.close()


def test_hardening_cancels_resumes_and_hands_the_model_over(qtbot, main, tmp_path):
    ws = main.workspaces["harden"]
    ws.limit = 300
    assert "mnist-standard" in ws.setup.model.text()
    assert [ws.setup.method.itemText(i) for i in range(ws.setup.method.count())][:2] == ["pgd-at", "trades"]

    def cancel_after_epoch_one(report):
        if getattr(report, "epoch", 0) == 2:
            ws.cancel()

    with qtbot.waitSignal(ws.hardening_finished, timeout=WAIT_MS) as stopped:
        ws.setup.harden_button.click()
        ws._job.progress.connect(cancel_after_epoch_one)
    assert not stopped.args[0].finished and [s.epoch for s in ws.state.scores] == [1]
    assert (tmp_path / "out" / "mnist-standard-pgd-at.ckpt").is_file()
    assert "continues" in ws.setup.stage.text() and not ws.setup.use_button.isEnabled()
    with qtbot.waitSignal(ws.hardening_finished, timeout=WAIT_MS) as done:
        ws.setup.harden_button.click()
    report = done.args[0]
    assert report.finished and [s.epoch for s in ws.state.scores] == [1, 2]
    assert list(ws.curves.clean_curve.getData()[0]) == [1, 2]
    assert len(ws.curves.points) == 3 and ws.curves.points[0][0] == 0
    assert "\u2192" in ws.summary.text() and str(report.card) in ws.summary.text()
    assert not (tmp_path / "out" / "mnist-standard-pgd-at.ckpt").exists()
    qtbot.waitUntil(ws.setup.use_button.isEnabled, timeout=5000)
    ws.setup.use_button.click()
    assert (main.session.model, main.session.weights) == ("mnist-cnn", str(report.weights))
    labels = [main.model_combo.itemText(i) for i in range(main.model_combo.count())]
    assert "mnist-cnn + mnist-standard-pgd-at.safetensors" in labels
