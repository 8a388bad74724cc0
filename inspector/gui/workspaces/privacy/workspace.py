"""The Privacy workspace: attacks on a model's confidentiality (model stealing, model inversion, ...).

Left: the attack picker (one entry per :class:`~inspector.gui.workspaces.privacy.task.PrivacyTask`
in :mod:`inspector.gui.workspaces.privacy.tasks`), the victim model, the task's own form,
Run / Cancel and the progress. Right: the task's result view, filled in as the
run goes, and Export (a PNG figure for slides and the JSON that reproduces the run).
"""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from inspector.core.io.files import write_files
from inspector.core.models.zoo.mnist_cnn import MNIST_MODELS
from inspector.core.privacy.stealing import StealConfig
from inspector.core.replay import PrivacySource
from inspector.core.util.errors import InspectorError
from inspector.core.util.messages import show_path
from inspector.gui.jobs import Job
from inspector.gui.workspace import Workspace
from inspector.gui.workspaces.privacy.state import PrivacyState
from inspector.gui.workspaces.privacy.task import Progress
from inspector.gui.workspaces.privacy.tasks import TASKS

SIDE_WIDTH = 340


class PrivacyWorkspace(Workspace):
    """Signal ``run_finished`` (the result), emitted once a run has ended, stopped or not."""

    name = "privacy"
    title = "Privacy"
    opens = (PrivacySource,)

    run_finished = Signal(object)

    def __init__(self, shell, state: PrivacyState | None = None, parent=None):
        super().__init__(shell, state, parent)
        self.state = state or PrivacyState()
        self._job: Job | None = None
        self._build()
        self.shell.runner.busy_changed.connect(self._on_busy)
        self.state.events.task.connect(self._show_task)
        self.state.events.result.connect(lambda result: self.view().show_result(result))
        self._show_task(self.state.task)
        self._on_busy(self.shell.runner.busy())

    def _build(self) -> None:
        box = QGroupBox("Attack")
        form = QFormLayout(box)
        self.task_picker = QComboBox()
        for task in TASKS.values():
            self.task_picker.addItem(task.title, task.name)
        self.task_picker.currentIndexChanged.connect(
            lambda i: setattr(self.state, "task", self.task_picker.itemData(i))
        )
        form.addRow("attack", self.task_picker)
        self.description = QLabel("")
        self.description.setWordWrap(True)
        form.addRow(self.description)
        self.victim = QComboBox()
        self.victim.addItems(list(MNIST_MODELS))
        self.victim.setCurrentText(self.state.victim)
        self.victim.currentTextChanged.connect(lambda text: setattr(self.state, "victim", text))
        form.addRow("victim", self.victim)
        self.forms = QStackedWidget()
        self.views = QStackedWidget()
        self._pages: dict[str, tuple[QWidget, QWidget]] = {}
        for task in TASKS.values():
            page, view = task.form(self.state), task.view()
            self.forms.addWidget(page)
            self.views.addWidget(view)
            self._pages[task.name] = (page, view)
        form.addRow(self.forms)
        buttons = QHBoxLayout()
        self.run_button = QPushButton("Run")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop; what is finished is kept and shown")
        self.cancel_button.clicked.connect(self.cancel)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        form.addRow(buttons)
        self.progress = QProgressBar()
        self.progress.setTextVisible(False)
        form.addRow(self.progress)
        self.stage = QLabel("")
        self.stage.setWordWrap(True)
        form.addRow(self.stage)

        self.export_button = QPushButton("Export\u2026")
        self.export_button.setToolTip("A PNG figure for slides and the JSON that reproduces the run")
        self.export_button.clicked.connect(self.export_dialog)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.views, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.export_button)
        right_layout.addLayout(row)
        self.lay_out([box], right, SIDE_WIDTH)

    def view(self):
        """The result view of the current task."""
        return self._pages[self.state.task][1]

    def _show_task(self, name: str) -> None:
        task = TASKS[name]
        self.task_picker.setCurrentIndex(list(TASKS).index(name))
        self.description.setText(task.description)
        page, view = self._pages[name]
        self.forms.setCurrentWidget(page)
        self.views.setCurrentWidget(view)
        if self.shell.runner.job is not self._job or self._job is None:
            self.state.result = None
        self._on_busy(self.shell.runner.busy())

    def open_source(self, source: PrivacySource, confirm_code=lambda model: False) -> bool:
        """Show a saved privacy run's task with its settings (victim included), ready to run again.
        False (after one error line) while a run is going on, or for a victim that is not a
        built-in MNIST model (a model file: run it with the command line)."""
        config = source.config
        victim = config.victim if isinstance(config, StealConfig) else config.model
        if self.shell.runner.busy():
            self.shell.show_error("a privacy attack is running: cancel it before opening another")
            return False
        if victim not in MNIST_MODELS:
            self.shell.show_error(
                f"{show_path(source.path)}: the Privacy workspace attacks the built-in MNIST models "
                f"({', '.join(MNIST_MODELS)}), not {show_path(victim)}: run it with the command line"
            )
            return False
        TASKS[source.task].use(self.state, config)
        self.victim.setCurrentText(self.state.victim)
        self._pages[source.task][0].show_state()
        self.state.task = source.task
        self.state.result = None
        self.shell.show_status(f"opened {show_path(source.path)}: Run runs it again", 0)
        return True

    def fill_file_menu(self, menu: QMenu) -> None:
        action = QAction("&Export privacy figure and JSON\u2026", menu)
        action.triggered.connect(self.export_dialog)
        menu.addAction(action)

    # ---- running ------------------------------------------------------------------------------
    def run(self) -> None:
        """Run the current task on the chosen victim in a worker thread."""
        task = TASKS[self.state.task]
        job = Job(task.run, self.state)
        job.progress.connect(self._on_report)
        self._job = job
        if self.shell.runner.start(job, f"{task.title.lower()} on {self.state.victim}\u2026", self._on_done):
            self.state.result = None
            self.progress.setRange(0, 0)
            self.stage.setText("loading the models and the digits\u2026")
            self.view().show_running(self.stage.text())

    def cancel(self) -> None:
        """Stop the run; what it finished is kept and shown."""
        if self._job is not None and self.shell.runner.job is self._job:
            self.shell.runner.cancel()

    def _on_report(self, report) -> None:
        if isinstance(report, Progress):
            self.progress.setRange(0, max(report.total, 1))
            self.progress.setValue(report.done)
            self.stage.setText(report.text)
            self.view().show_running(report.text)
        elif isinstance(report, tuple) and report[0] == "partial":
            self.state.result = report[1]

    def _on_done(self, result) -> None:
        self.state.result = result
        stopped = not getattr(result, "finished", True) or getattr(result, "stopped", False)
        self.progress.setRange(0, 1)
        self.progress.setValue(0 if stopped else 1)
        self.stage.setText("stopped: the finished part is shown" if stopped else "done")
        self._on_busy(self.shell.runner.busy())
        self.run_finished.emit(result)

    def _on_busy(self, busy: bool) -> None:
        mine = busy and self._job is not None and self.shell.runner.job is self._job
        self.run_button.setEnabled(not busy)
        self.cancel_button.setEnabled(mine)
        self.task_picker.setEnabled(not mine)
        self.victim.setEnabled(not mine)
        self.forms.setEnabled(not mine)
        self.export_button.setEnabled(not busy and self.state.result is not None)

    # ---- export -------------------------------------------------------------------------------
    def export(self, folder: str) -> dict[str, Path] | None:
        """Write ``privacy-<task>.png`` and ``privacy-<task>.json`` into ``folder``, both or neither."""
        task = TASKS[self.state.task]
        result = self.state.result
        if result is None:
            self.shell.show_error("nothing to export yet: run an attack first")
            return None
        figure, text = task.figure(result), json.dumps(task.to_dict(result), indent=2) + "\n"
        try:
            written = write_files(
                folder,
                {
                    f"privacy-{task.name}.png": lambda p: figure.save(p, format="PNG"),
                    f"privacy-{task.name}.json": lambda p: p.write_text(text, encoding="utf-8"),
                },
            )
        except InspectorError as exc:
            self.shell.show_error(str(exc))
            return None
        self.shell.show_status(f"exported to {folder}", 5000)
        return written

    def export_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export to folder", self.shell.settings.export_path(""))
        if folder:
            self.shell.settings.remember_export(folder, folder=True)
            self.export(folder)
