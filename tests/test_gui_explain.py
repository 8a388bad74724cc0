"""The Evasion view's toggle "where the model looks: original vs adversarial", offscreen, on a shipped digit."""

from __future__ import annotations

import numpy as np

from inspector.core.io.resources import resource_path
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings

WAIT_MS = 120_000


def red_share(pixels: np.ndarray) -> float:
    """The share of pixels tinted red (red well above green): the heat map's mark."""
    r, g = pixels[..., 0].astype(int), pixels[..., 1].astype(int)
    return float((r - g > 40).mean())


def test_the_toggle_overlays_the_maps_after_a_run_and_takes_them_off_again(qtbot, tmp_path, monkeypatch):
    win = MainWindow(
        Session(model="mnist-standard", device="cpu"), Settings(tmp_path / "settings.json"), show_dialogs=False
    )
    qtbot.addWidget(win)
    evasion = win.workspaces["evasion"]
    with qtbot.waitSignal(evasion.preview_ready, timeout=WAIT_MS):
        win.show()
    with qtbot.waitSignal(evasion.preview_ready, timeout=WAIT_MS):
        evasion.open_image(str(resource_path("images", "mnist-7.png")))
    bar, panes = evasion.explain_bar, evasion.panes
    bar.toggle.setChecked(True)  # before any run: nothing to explain, the images stay plain
    assert red_share(panes.arrays[0]) == 0 and bar.sanity.full_text() == ""
    editors = evasion.attack_panel.form.editors  # PGD at the digits' usual budget: 0.3 (77 grey levels), 40 steps
    editors["eps"].spin.setValue(77)
    editors["step_size"].spin.setValue(8)
    editors["steps"].setValue(40)
    with qtbot.waitSignal(evasion.attack_finished, timeout=WAIT_MS) as blocker:
        evasion.run_attack()
    inspection = blocker.args[0]
    assert inspection.success  # PGD fools mnist-standard on the 7: the adversarial is read as another class
    qtbot.waitUntil(lambda: evasion._maps is not None and not evasion.shell.runner.busy(), timeout=WAIT_MS)
    plain_original, plain_adversarial = evasion.state.preview.pixels, evasion._adversarial[0]
    assert red_share(panes.arrays[0]) > 0.05 and red_share(panes.arrays[2]) > 0.05
    assert red_share(plain_original) == 0
    adversarial_class = inspection.adversarial.top_k[0]["name"]
    assert panes.captions[0].text.startswith("original map: 7 (")
    assert panes.captions[2].text.startswith(f"adversarial map: {adversarial_class} (")
    # Grad-CAM, the default method, passes on mnist-standard
    assert bar.sanity.full_text().startswith("sanity check passes: rank correlation ")

    with qtbot.waitSignal(evasion.shell.runner.busy_changed, timeout=WAIT_MS):  # another method: made again
        bar.method.setCurrentIndex(bar.method.findData("saliency"))
    qtbot.waitUntil(lambda: evasion._maps.method == "saliency" and not evasion.shell.runner.busy(), timeout=WAIT_MS)
    assert panes.captions[0].text.startswith("original map: 7")

    bar.toggle.setChecked(False)
    assert np.array_equal(panes.arrays[0], plain_original) and np.array_equal(panes.arrays[2], plain_adversarial)
    assert (
        panes.captions[2].text
        == f"adversarial: {adversarial_class} ({inspection.adversarial.top_k[0]['probability']:.0%})"
    )
    assert bar.sanity.full_text() == ""

    win.close()
