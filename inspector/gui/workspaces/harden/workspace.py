"""The Harden workspace: adversarially fine-tune the current model, watch it train, compare before and after.

Left: the setup panel (data, method and parameters, output folder; Harden / Cancel with progress
and ETA; Use the hardened model). Centre: training loss and clean and robust validation accuracy
per epoch, then accuracy against the budget before and after on the same validation images, and
the numbers with their 95 % intervals. It drives :func:`~inspector.core.training.hardening.harden`
through :mod:`inspector.gui.workspaces.harden.jobs`; Use puts the hardened weights in the
session, so the model picker offers them and the other workspaces attack them.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel

from inspector.core.training.hardening import EpochScore, HardenReport
from inspector.core.training.loop import Progress
from inspector.gui.jobs import Job
from inspector.gui.workspace import Workspace, splitter
from inspector.gui.workspaces.harden.curves import HardenCurves
from inspector.gui.workspaces.harden.jobs import harden_job
from inspector.gui.workspaces.harden.setup_panel import SetupPanel
from inspector.gui.workspaces.harden.state import HardenState

SIDE_WIDTH = 340


class HardenWorkspace(Workspace):
    """Signals ``hardening_finished`` (the HardenReport, finished or stopped)."""

    name = "harden"
    title = "Harden"

    hardening_finished = Signal(object)

    def __init__(self, shell, state: HardenState | None = None, parent=None):
        super().__init__(shell, state, parent)
        self.state = state or HardenState()
        self._job: Job | None = None
        #: (time, share done) at this run's first batch, for the ETA.
        self._first: tuple[float, float] | None = None
        #: Train on the first ``limit`` images only (tests); None: all.
        self.limit: int | None = None
        self.setup = SetupPanel(self.state)
        self.setup.harden_clicked.connect(self.harden)
        self.setup.cancel_clicked.connect(self.cancel)
        self.setup.use_clicked.connect(self.use)
        self.curves = HardenCurves()
        self.summary = QLabel("Press Harden to fine-tune the current model against Linf attacks.")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.lay_out(
            [self.setup], splitter(Qt.Orientation.Vertical, [self.curves, self.summary], [420, 200]), SIDE_WIDTH
        )
        self.state.events.scores.connect(self.curves.set_scores)
        self.state.events.report.connect(self._show_report)
        self.shell.session.events.model.connect(self._show_model)
        self.shell.runner.busy_changed.connect(self._on_busy)
        self._show_model()
        self._on_busy(self.shell.runner.busy())

    def _show_model(self, *_args) -> None:
        session = self.shell.session
        weights = f" + {Path(session.weights).name}" if session.weights else ""
        self.setup.model.setText(f"{session.model}{weights}")

    def harden(self) -> None:
        """Harden the current model in a worker thread, resuming from a checkpoint left in the folder."""
        session = self.shell.session
        folder = Path(self.state.folder)
        resumes = any(folder.glob(f"*-{self.state.method}.ckpt")) if folder.is_dir() else False
        settings = {
            "data": self.state.data,
            "out_dir": self.state.folder,
            "params": dict(self.state.params),
            "resume": resumes,
            "limit": self.limit,
            "device": session.device,
        }
        job = Job(harden_job, session.model, session.weights, self.state.method, settings)
        job.progress.connect(self._on_report)
        self._job = job
        if self.shell.runner.start(job, f"hardening {session.model} by {self.state.method}\u2026", self._on_done):
            self._first = None
            if not resumes:
                self.state.scores = []
            self.setup.show_progress(
                0, 1, "continuing from the checkpoint\u2026" if resumes else "checking the inputs\u2026"
            )

    def cancel(self) -> None:
        """Stop after the batch in progress; the last finished epoch stays in the checkpoint, and Harden continues."""
        if self._job is not None and self.shell.runner.job is self._job:
            self.shell.runner.cancel()

    def use(self) -> None:
        """Make the hardened model the session's model (its architecture with the written weights)."""
        report = self.state.report
        if report is None or not report.finished:
            return
        self.shell.session.weights = str(report.weights)
        self.shell.session.model = report.architecture

    def _on_report(self, report) -> None:
        if isinstance(report, Progress):
            done = (report.epoch - 1) * report.batches + report.batch
            total = report.epochs * report.batches
            self.setup.show_progress(
                done,
                total,
                f"epoch {report.epoch}/{report.epochs}, loss {report.loss:.3f}, train accuracy "
                f"{report.accuracy:.1%}; {self._eta(done / total)}",
            )
        elif isinstance(report, EpochScore):
            self.state.scores = [*self.state.scores, report]

    def _eta(self, share: float) -> str:
        """The time left at ``share`` of the batches done, at this run's rate since its first batch."""
        now = time.perf_counter()
        if self._first is None:
            self._first = (now, share)
        started, first = self._first
        if share <= first:
            return "ETA -"
        left = round((1 - share) * (now - started) / (share - first))
        return f"ETA {left // 60} min {left % 60:02d} s"

    def _on_done(self, report: HardenReport) -> None:
        self.state.report = report
        self.setup.show_progress(
            1 if report.finished else 0,
            1,
            f"done: {report.weights.name}" if report.finished else "stopped: Harden continues from the last epoch",
        )
        self._on_busy(self.shell.runner.busy())
        self.hardening_finished.emit(report)

    def _show_report(self, report: HardenReport | None) -> None:
        self.curves.set_report(report)
        if report is None or not report.finished:
            return
        rows = []
        for before, after in zip(report.before, report.after, strict=True):
            what = "clean" if before.budget == 0 else f"PGD-{before.steps} at eps {255 * before.budget:.4g}/255"
            rows.append(f"{what}: {_cell(before)} \u2192 {_cell(after)}")
        notes = "".join(f"\n\u26a0 {n}" for n in report.notes)
        self.summary.setText(
            f"{report.name}: {report.data}\n" + "\n".join(rows) + notes + f"\nweights: {report.weights}\n"
            f"card: {report.card}"
        )

    def _on_busy(self, busy: bool) -> None:
        running = busy and self._job is not None and self.shell.runner.job is self._job
        report = self.state.report
        self.setup.set_running(running, can_run=not busy, hardened=report is not None and report.finished)


def _cell(accuracy) -> str:
    low, high = accuracy.interval
    return f"{accuracy.rate:.1%} [{low:.1%}, {high:.1%}]"
