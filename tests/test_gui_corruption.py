"""The Evasion view's corruption preview: the current image under the chosen corruption and severity,
read by the model, with no attack run."""

from __future__ import annotations

import numpy as np

from inspector.core.io.resources import resource_path
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.evasion.corruption_panel import NONE
from inspector.gui.workspaces.evasion.state import EvasionState

WAIT_MS = 60_000


def test_the_preview_shows_the_corrupted_image_and_the_model_s_reading(qtbot, tmp_path):
    state = EvasionState(image=str(resource_path("images", "mnist-7.png")))
    win = MainWindow(
        Session(model="mnist-standard", device="cpu"), Settings(tmp_path / "s.json"), states={"evasion": state}
    )
    qtbot.addWidget(win)
    ev = win.workspaces["evasion"]
    with qtbot.waitSignal(ev.preview_ready, timeout=WAIT_MS):
        win.show()
    panel = ev.corruption_panel
    assert panel.kind.currentText() == NONE and panel.result is None and panel.picture.pixmap().isNull()
    panel.kind.setCurrentText("impulse-noise")
    panel.severity.setValue(5)
    qtbot.waitUntil(lambda: panel.result is not None, timeout=WAIT_MS)
    original = ev.state.preview.pixels
    assert panel.result.pixels.shape == original.shape and panel.result.pixels.dtype == np.uint8
    assert not np.array_equal(panel.result.pixels, original)
    assert not panel.picture.pixmap().isNull() and "read as" in panel.reading.text()
    panel.kind.setCurrentText(NONE)
    qtbot.waitUntil(lambda: panel.picture.pixmap().isNull(), timeout=WAIT_MS)
    assert panel.result is None
