"""The membership view built from a real result: a loss attack on mnist-standard run through the
window's kind of job runner, then the ROC curve, the figures and the exposed digits on screen."""

from __future__ import annotations

import os

import pytest

from inspector.core.errors import ExportError
from inspector.core.privacy.membership import MembershipConfig
from inspector.gui.jobs import Job, JobRunner
from inspector.gui.privacy.membership_job import membership_job
from inspector.gui.privacy.membership_view import MembershipView

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
    view.show_result(None)
    assert "cancelled" in view.status.text() and view.result is None
    with pytest.raises(ExportError):
        view.export("unused")
