"""The Evaluate workspace's certified-accuracy curve, offscreen with pytest-qt: randomized smoothing
(Cohen et al. 2019) of the shipped mnist-smooth-0.25 on held-out digits."""

from __future__ import annotations

import pytest

from inspector.core.certify.settings import Smoothing
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.evaluate.state import EvaluateState

WAIT_MS = 120_000


def test_the_workspace_shows_the_certified_accuracy_curve(qtbot, tmp_path):
    smoothing = Smoothing(sigma=0.5, n0=10, n=100).values()  # sigma: the model's own once it is chosen
    state = EvaluateState(attacks=["fgsm"], eps="0, 0.1", limit=10, out=str(tmp_path / "run"), smoothing=smoothing)
    win = MainWindow(
        Session(model="mnist-smooth-0.25", device="cpu"), Settings(tmp_path / "s.json"), states={"evaluate": state}
    )
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.show()
    ws = win.workspaces["evaluate"]
    win.tabs.setCurrentWidget(ws)
    assert ws.certify_panel.sigma.value() == 0.25 and not ws.certify_panel.isChecked()
    ws.certify_panel.setChecked(True)
    ws.certify_panel.n.setValue(5)  # n0 10 above n 5: refused at Run, with its reason
    errors = []
    ws.shell.show_error = errors.append
    ws.attack_panel.run_button.click()
    assert errors and "n0" in errors[0] and not ws.shell.runner.busy()
    ws.certify_panel.n.setValue(100)
    with qtbot.waitSignal(ws.evaluation_finished, timeout=WAIT_MS) as done:
        ws.attack_panel.run_button.click()
    result = done.args[0]
    curve = result.certified.curve()
    assert ws.result_tabs.currentWidget() is ws.certified
    assert ws.certified.table.rowCount() == len(curve) > 2
    xs, ys = ws.certified.points()
    assert xs == [row["radius"] for row in curve]
    assert ys[0] <= 100 * result.clean["none"]["accuracy"] and ys == sorted(ys, reverse=True)
    assert ws.certified.table.item(0, 3).text() == f"{curve[0]['certified']} of 10"
    assert "sigma 0.25, n0 10, n 100" in ws.certified.summary.text()
    ws.state.result = None
    assert ws.certified.table.rowCount() == 0 and "Tick" in ws.certified.summary.text()
    win.close()


@pytest.mark.parametrize("certify", [False, True])
def test_the_state_puts_the_settings_in_the_configuration_only_when_certifying(certify):
    state = EvaluateState(certify=certify)
    config = state.config("mnist-smooth-0.25", "cpu")
    assert config.smoothing == (state.smoothing if certify else None)
    other = EvaluateState()
    other.use_config(config)
    assert other.certify == certify
