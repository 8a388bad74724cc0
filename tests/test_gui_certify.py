"""The Evasion view certifies a built-in smoothing model's image (randomized smoothing, Cohen et al.
2019) in the attack's worker and shows the certified L2 radius beside the attack's L2."""

from __future__ import annotations

import re

from inspector.core.io.resources import resource_path
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.evasion.state import EvasionState, default_params

WAIT_MS = 60_000


def digit_window(qtbot, tmp_path, model: str) -> MainWindow:
    state = EvasionState(image=str(resource_path("images", "mnist-7.png")), attack="deepfool")
    state.params["deepfool"] = default_params("deepfool")
    win = MainWindow(Session(model=model, device="cpu"), Settings(tmp_path / "s.json"), states={"evasion": state})
    qtbot.addWidget(win)
    win.resize(1280, 720)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.show()
    return win


def test_the_certified_radius_is_shown_beside_deepfools_l2(qtbot, tmp_path):
    win = digit_window(qtbot, tmp_path, "mnist-smooth-0.50")
    ev = win.workspaces["evasion"]
    with qtbot.waitSignal(ev.attack_finished, timeout=WAIT_MS) as blocker:
        ev.run_attack()
    inspection = blocker.args[0]
    summary = win.summary.text()
    found = re.search(r"certified L2 radius (\d+\.\d+) \(smoothed class 7, sigma 0.5\)", summary)
    assert found, summary
    assert inspection.success and 0 < float(found.group(1)) < inspection.norms()["l2"]
    assert summary.index("L2 ") < found.start()  # the attack's L2 comes first, the certificate beside it
    win.close()
