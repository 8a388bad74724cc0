"""The road-sign models in the app: choosing one shows the rendered demo signs and reads the stop sign."""

from __future__ import annotations

from inspector.core.evasion.samples import road_sign_images
from inspector.core.io.resources import sample_images
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings

WAIT_MS = 120_000


def test_a_road_sign_model_shows_the_demo_signs_and_reads_the_stop_sign(qtbot, tmp_path):
    win = MainWindow(Session(model="gtsrb-standard", device="cpu"), Settings(tmp_path / "settings.json"))
    qtbot.addWidget(win)
    evasion = win.workspaces["evasion"]
    with qtbot.waitSignal(evasion.preview_ready, timeout=WAIT_MS):
        win.show()  # the default photo is another kind of model's sample: the stop sign replaces it
    assert evasion.image_panel.samples() == [str(p) for p in road_sign_images()]
    assert evasion.state.image == str(road_sign_images()[0])
    top = evasion.state.preview.classification.top_k[0]
    assert top["name"] == "stop" and top["probability"] >= 0.9
    with qtbot.waitSignal(evasion.preview_ready, timeout=WAIT_MS):
        win.session.model = "mnist-standard"  # the digits' model: its gallery is the digits
    assert evasion.image_panel.samples() == [str(p) for p in sample_images(1)]
    assert evasion.state.image == str(sample_images(1)[0])
    win.close()
