"""Each workspace has its own job runner: a job waiting in one tab does not hold up another tab's."""

from __future__ import annotations

import threading

import pytest

from inspector.gui.jobs import Job, draws_global_rng
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings

WAIT_MS = 10_000


@pytest.fixture
def main(qtbot, tmp_path):
    win = MainWindow(Session(model="mnist-standard", device="cpu"), Settings(tmp_path / "s.json"), show_dialogs=False)
    qtbot.addWidget(win)
    yield win
    win.close()


def _wait(job: Job, event: threading.Event) -> str:
    assert event.wait(WAIT_MS / 1000)
    return "waited"


def _quick(job: Job) -> str:
    return "quick"


@draws_global_rng
def _train(job: Job, log: list, event: threading.Event | None) -> None:
    log.append(("start", event is not None))
    if event is not None:
        assert event.wait(WAIT_MS / 1000)
    log.append(("end", event is not None))


def test_a_job_in_a_second_workspace_finishes_while_the_first_waits(qtbot, main):
    first, second = main.workspaces["evaluate"].shell.runner, main.workspaces["evasion"].shell.runner
    assert first is not second
    release, done = threading.Event(), []
    assert first.start(Job(_wait, release), "waiting", lambda r: done.append(r))
    with qtbot.waitSignal(second.busy_changed, timeout=WAIT_MS, check_params_cb=lambda busy: not busy):
        assert second.start(Job(_quick), "quick", lambda r: done.append(r))
    assert done == ["quick"] and first.busy() and main.busy()
    assert not main.model_combo.isEnabled()  # the model stays while a job runs
    release.set()
    qtbot.waitUntil(lambda: not main.busy(), timeout=WAIT_MS)
    assert done == ["quick", "waited"] and main.model_combo.isEnabled()


def test_jobs_that_draw_from_the_global_generator_take_turns(qtbot, main):
    first, second = main.workspaces["privacy"].shell.runner, main.workspaces["evaluate"].shell.runner
    release, log = threading.Event(), []
    first.start(Job(_train, log, release), "training")
    qtbot.waitUntil(lambda: log == [("start", True)], timeout=WAIT_MS)
    second.start(Job(_train, log, None), "training")
    qtbot.wait(200)
    assert log == [("start", True)]  # the second waits for the generator
    release.set()
    qtbot.waitUntil(lambda: not main.busy(), timeout=WAIT_MS)
    assert log == [("start", True), ("end", True), ("start", False), ("end", False)]


def test_no_workspace_job_starts_while_the_window_loads_a_model(qtbot, main):
    evaluate = main.workspaces["evaluate"]
    release = threading.Event()
    main.runner.start(Job(_wait, release), "loading a model")
    assert evaluate.shell.runner.busy() and not evaluate.attack_panel.run_button.isEnabled()
    assert not evaluate.shell.runner.start(Job(_quick), "quick")
    release.set()
    qtbot.waitUntil(lambda: not main.busy(), timeout=WAIT_MS)
    assert not evaluate.shell.runner.busy() and evaluate.attack_panel.run_button.isEnabled()
