"""The Evaluate workspace: clean and robust accuracy of the session's model over a data set.

Left: the data, attack, defence and certification panels with Run / Cancel. Right: the robust
accuracy curve, filled in as batches finish, and the results table, with beside it (tabs)
who is mistaken for whom and, with randomized smoothing, the certified-accuracy curve. It drives
:func:`inspector.core.evaluation.evaluate` through :mod:`inspector.gui.workspaces.evaluate.jobs`
and renders the :class:`EvaluateState` it keeps.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QMenu, QPushButton, QTabWidget, QVBoxLayout, QWidget

from inspector.core.evaluation import Progress
from inspector.core.evaluation.certified_records import smoothing_of
from inspector.core.evaluation.data import takes_digits
from inspector.core.evaluation.report import write_report
from inspector.core.models.loading import load_model
from inspector.core.replay import EvaluationSource
from inspector.core.util.errors import InspectorError
from inspector.core.util.messages import show_path
from inspector.gui.jobs import Job
from inspector.gui.workspace import Workspace, splitter
from inspector.gui.workspaces.evaluate.attack_panel import AttackPanel
from inspector.gui.workspaces.evaluate.certified_view import CertifiedView
from inspector.gui.workspaces.evaluate.certify_panel import CertifyPanel
from inspector.gui.workspaces.evaluate.curve_plot import CurvePlot
from inspector.gui.workspaces.evaluate.data_panel import DataPanel
from inspector.gui.workspaces.evaluate.defense_panel import DefensePanel
from inspector.gui.workspaces.evaluate.eta import Eta
from inspector.gui.workspaces.evaluate.jobs import Partial, evaluate_job
from inspector.gui.workspaces.evaluate.mistaken_view import MistakenView
from inspector.gui.workspaces.evaluate.results_table import ResultsTable
from inspector.gui.workspaces.evaluate.state import NO_DATA, EvaluateState

SIDE_WIDTH = 340


class EvaluateWorkspace(Workspace):
    """Signal ``evaluation_finished`` (the EvaluationResult), emitted once a run has ended, stopped or not."""

    name = "evaluate"
    title = "Evaluate"
    opens = (EvaluationSource,)

    evaluation_finished = Signal(object)

    def __init__(self, shell, state: EvaluateState | None = None, parent=None):
        super().__init__(shell, state, parent)
        self.state = state or EvaluateState()
        self._job: Job | None = None
        self._eta = Eta()
        self._suit_model()
        self._build()
        self.shell.runner.busy_changed.connect(self._on_busy)
        self.shell.session.events.model.connect(self._on_session_changed)
        self.shell.session.events.device.connect(self._on_session_changed)
        self.state.events.result.connect(self._show_result)
        self.state.events.out.connect(lambda *_: self._on_busy(self.shell.runner.busy()))
        self._on_busy(self.shell.runner.busy())

    def _build(self) -> None:
        self.data_panel = DataPanel(self.state)
        self.attack_panel = AttackPanel(self.state)
        self.attack_panel.run_clicked.connect(self.run)
        self.attack_panel.cancel_clicked.connect(self.cancel)
        self.defense_panel = DefensePanel(self.state)
        self.certify_panel = CertifyPanel(self.state)

        self.curve = CurvePlot()
        self.results = ResultsTable()
        self.mistaken = MistakenView()
        self.certified = CertifiedView()
        self.result_tabs = QTabWidget()
        self.result_tabs.addTab(self.results, "Accuracy")
        self.result_tabs.addTab(self.mistaken, "Who is mistaken for whom")
        self.result_tabs.addTab(self.certified, "Certified accuracy")
        self.save_button = QPushButton("Save report\u2026")
        self.save_button.setToolTip("A self-contained HTML report: recipe, sanity checks, plot, tables, examples")
        self.save_button.clicked.connect(self.save_report_dialog)
        self.save_button.setEnabled(False)
        results = QWidget()
        results_layout = QVBoxLayout(results)
        results_layout.setContentsMargins(0, 0, 0, 0)
        results_layout.addWidget(self.result_tabs, 1)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        results_layout.addLayout(save_row)
        self.lay_out(
            [self.data_panel, self.attack_panel, self.defense_panel, self.certify_panel],
            splitter(Qt.Orientation.Vertical, [self.curve, results], [420, 440]),
            SIDE_WIDTH,
        )

    def fill_file_menu(self, menu: QMenu) -> None:
        action = QAction("Save evaluation &report\u2026", menu)
        action.triggered.connect(self.save_report_dialog)
        menu.addAction(action)

    def set_text_scale(self, scale: float) -> None:
        self.curve.set_text_scale(scale)

    def open_source(self, source: EvaluationSource, confirm_code=lambda model: False) -> bool:
        """Set up a saved evaluation (its folder, manifest, report or configuration): its data, attacks,
        budgets, steps, defences and limit, ready to run. It runs on the toolbar's model, which the
        status bar names when the evaluation was of another."""
        if self.shell.runner.busy():
            self.shell.show_error("an evaluation is running: cancel it before opening another")
            return False
        self.state.use_config(source.config)
        self.attack_panel.show_state()
        self.defense_panel.show_state()
        self.certify_panel.show_state()
        session, model = self.shell.session, source.config.model
        other = (
            f"; it evaluated {show_path(model)}, Run uses {show_path(session.model)}" if model != session.model else ""
        )
        self.shell.show_status(f"opened {show_path(source.path)}{other}", 0)
        return True

    # ---- running ------------------------------------------------------------------------------
    def run(self) -> None:
        """Evaluate the session's model with the current choices in a worker thread."""
        session = self.shell.session
        if self.state.data == NO_DATA:
            self.shell.show_error(
                f"{session.model} takes photos: choose a folder of labelled photos (Data > Folder\u2026)"
            )
            return
        config = self.state.config(
            session.model, session.device, weights=session.weights, trust_code=session.trust_code
        )
        if config.smoothing is not None:
            try:
                smoothing_of(config.smoothing)
            except InspectorError as exc:
                self.shell.show_error(str(exc))
                return
        job = Job(evaluate_job, config)
        job.progress.connect(self._on_report)
        self._job = job
        verb = "continuing the evaluation in " + config.out if config.resume else "evaluating"
        if self.shell.runner.start(job, f"{verb} {session.model} on {config.data}\u2026", self._on_done):
            self._eta = Eta()
            self.state.progress = None
            self.state.result = None
            self.attack_panel.show_progress(0, 1, "loading the model and the images\u2026", None)

    def cancel(self) -> None:
        """Stop after the attack run in progress; the finished records stay in the output folder."""
        if self._job is not None and self.shell.runner.job is self._job:
            self.shell.runner.cancel()

    def _on_report(self, report) -> None:
        if isinstance(report, Progress):
            self.state.progress = report
            left = self._eta.update(report.images_done, report.images_total)
            self.attack_panel.show_progress(
                report.images_done, report.images_total, report.stage, left, report.within_batch
            )
        elif isinstance(report, Partial):
            self.state.result = report.result

    def _on_done(self, result) -> None:
        self.state.result = result
        progress = self.state.progress
        done = progress.images_done if progress is not None else 0
        stage = "stopped; run again to continue from the finished records" if result.stopped else "done"
        self.attack_panel.show_progress(done if result.stopped else result.images, result.images, stage, None)
        if result.config.out is not None:
            self.shell.show_status(f"records in {result.config.out}", 0)
        if result.certified is not None and result.certified.images:
            self.result_tabs.setCurrentWidget(self.certified)
        self.evaluation_finished.emit(result)

    def _on_busy(self, busy: bool) -> None:
        running = busy and self._job is not None and self.shell.runner.job is self._job
        self.attack_panel.set_running(running, can_run=not busy)
        self.save_button.setEnabled(not busy and self.state.result is not None)

    def _on_session_changed(self, *_args) -> None:
        """Another model or device: the shown results are of the previous one, and the default data
        and budgets follow the model's kind."""
        if not (self.shell.runner.busy() and self.shell.runner.job is self._job):
            self.state.result = None
            self._suit_model()

    def _suit_model(self) -> None:
        """The default data and budgets for the session's model (:meth:`EvaluateState.suit_model`);
        a model that does not load here keeps them (Run says why)."""
        session = self.shell.session
        try:
            model = load_model(session.model, session.device, weights=session.weights, trust_code=session.trust_code)
        except InspectorError:
            return
        self.state.suit_model(takes_digits(model))
        self.state.suit_smoothing(session.model)

    def _show_result(self, result) -> None:
        self.results.set_result(result)
        self.mistaken.set_result(result)
        self.certified.set_result(result)
        self.curve.set_rows(result.robust if result is not None else [], result.config.norm if result else "linf")
        self.save_button.setEnabled(result is not None and not self.shell.runner.busy())

    # ---- report -------------------------------------------------------------------------------
    def save_report(self, path: str) -> bool:
        """Write the HTML report of the last result to ``path``."""
        try:
            write_report(self.state.result, path)
        except InspectorError as exc:
            self.shell.show_error(str(exc))
            return False
        self.shell.show_status(f"saved {path}", 5000)
        return True

    def save_report_dialog(self) -> None:
        if self.state.result is None:
            self.shell.show_error("nothing to report yet: run an evaluation first")
            return
        start = self.shell.settings.export_path("evaluation.html")
        path, _ = QFileDialog.getSaveFileName(self, "Save report", start, "HTML (*.html)")
        if path:
            self.shell.settings.remember_export(path)
            self.save_report(path)
