"""The membership view built from a real result: a loss attack on mnist-standard run through the
window's kind of job runner, then the ROC curve, the figures and the exposed digits on screen."""

from __future__ import annotations

import json
import os

import pytest

from inspector.core.privacy.membership import MembershipConfig
from inspector.core.util.errors import ExportError
from inspector.gui.jobs import Job, JobRunner
from inspector.gui.workspaces.privacy.membership_job import membership_job
from inspector.gui.workspaces.privacy.membership_view import MembershipView

WAIT_MS = 120_000


@pytest.fixture
def shown(qtbot):
    view = MembershipView()
    qtbot.addWidget(view)
    runner = JobRunner()
    job = Job(membership_job, MembershipConfig(model="mnist-standard", attack="loss", members=1000))
    job.progress.connect(view.show_progress)
    with qtbot.waitSignal(runner.busy_changed, timeout=WAIT_MS, check_params_cb=lambda busy: not busy):
        assert runner.start(job, "membership inference", view.show_result)
    assert job.error is None
    return view


def test_view_shows_the_roc_figures_and_exposed_digits(shown, tmp_path):
    view = shown
    result = view.result
    assert result is not None and result.members == 1000
    assert "mnist-standard, loss" in view.title.text()
    text = view.figures.text()
    assert f"AUC {result.auc.value:.3f} [{result.auc.low:.3f}, {result.auc.high:.3f}]" in text
    assert "at 1% FPR" in text and "not measured: TPR at 0.1% FPR" in text
    # the curve, the chance line and the operating point, on log axes
    items = view.plot.getPlotItem().listDataItems()
    assert len(items) == 3 and view.plot.getPlotItem().ctrl.logXCheck.isChecked()
    assert view.digits.count() == len(result.exposed) == 16
    view.resize(1100, 650)
    view.show()
    path = tmp_path / "membership.png"
    assert view.grab().save(str(path)) and path.stat().st_size > 10_000
    view.export(str(tmp_path / "export"))
    assert sorted(p.name for p in (tmp_path / "export").iterdir()) == ["exposed.png", "membership.json", "roc.png"]
    if os.environ.get("INSPECTOR_SCREENSHOT_DIR"):
        view.grab().save(os.path.join(os.environ["INSPECTOR_SCREENSHOT_DIR"], "membership_view.png"))


def test_a_cancelled_job_says_what_was_kept(qtbot):
    view = MembershipView()
    qtbot.addWidget(view)
    from inspector.core.privacy.membership import MembershipProgress

    view.show_result(None)  # clearing an empty view says nothing
    assert view.status.text() == ""
    view.show_progress(MembershipProgress("reference models", 1, 4))
    view.show_result(None)  # a job that was running returned None: cancelled
    assert "cancelled" in view.status.text() and view.result is None
    with pytest.raises(ExportError):
        view.export("unused")


def test_privacy_workspace_runs_membership_and_exports(qtbot, tmp_path):
    from inspector.gui.main_window import MainWindow
    from inspector.gui.session import Session
    from inspector.gui.settings import Settings
    from inspector.gui.workspaces.privacy.state import MembershipSettings, PrivacyState

    state = PrivacyState(task="membership", membership=MembershipSettings("loss"))
    win = MainWindow(
        Session(model="mnist-standard", device="cpu"), Settings(tmp_path / "settings.json"), states={"privacy": state}
    )
    qtbot.addWidget(win)
    win.show()
    ws = win.workspaces["privacy"]
    win.tabs.setCurrentWidget(ws)
    assert isinstance(ws.view(), MembershipView)
    ws.victim.setCurrentText("mnist-dp")
    errors = []
    ws.shell.runner.failed.connect(errors.append)
    qtbot.waitUntil(lambda: not ws.shell.runner.busy(), timeout=WAIT_MS)
    with qtbot.waitSignal(ws.run_finished, timeout=WAIT_MS, raising=False) as done:
        ws.run_button.click()
    assert errors == [] and done.signal_triggered
    result = done.args[0]
    assert result.config.model == "mnist-dp" and result.members == 2000
    assert ws.view().result is result and "mnist-dp, loss" in ws.view().title.text()
    qtbot.waitUntil(lambda: ws.view().digits.itemAt(0).widget().isVisible(), timeout=5000)
    win.grab().save(str(tmp_path / "workspace.png"))
    if os.environ.get("INSPECTOR_SCREENSHOT_DIR"):
        win.grab().save(os.path.join(os.environ["INSPECTOR_SCREENSHOT_DIR"], "privacy_membership.png"))
    written = ws.export(str(tmp_path / "export"))
    data = json.loads(written["privacy-membership.json"].read_text())
    assert data["recipe"]["model"] == "mnist-dp" and data["auc"]["ci95"][0] <= data["auc"]["value"]
    win.close()
