"""The main window: the shared model and device pickers, the workspaces as tabs, menus and status bar.

It holds no attack logic and formats no results: each workspace
(:mod:`inspector.gui.workspaces`) does its own work on the :class:`Shell` the
window gives it: the evented :class:`Session` (model, device), the one
:class:`JobRunner`, settings and messages.
"""

from __future__ import annotations

from pathlib import Path

import torch
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QFont, QIcon, QKeySequence
from PySide6.QtWidgets import QApplication, QComboBox, QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget, QToolBar

from inspector.core.models import builtin_models, load_model
from inspector.core.resources import resource_path
from inspector.gui.jobs import Job, JobRunner
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.shell import Shell
from inspector.gui.workspace import Workspace
from inspector.gui.workspaces import WORKSPACES

DEFAULT_SIZE = (1400, 900)
MODEL_FILE = "TorchScript file\u2026"
MODEL_SUFFIXES = (".pt", ".pth", ".jit", ".ts")
PRESENTATION_FONT_SCALE = 1.5
APP_TITLE = "Robustness Inspector"


def app_icon() -> QIcon:
    return QIcon(str(resource_path("icons", "robustness-inspector.svg")))


def _load_model_job(job: Job, spec: str, device: str | None) -> tuple[str, str | None]:
    load_model(spec, device)
    return spec, device


class MainWindow(QMainWindow):
    """``error_occurred(message)`` is emitted for every error (also shown in a dialog when ``show_dialogs``).

    ``states`` gives workspaces their initial view state by workspace name.
    """

    error_occurred = Signal(str)

    def __init__(self, session: Session | None = None, settings: Settings | None = None, *,
                 states: dict | None = None, show_dialogs: bool = True):
        super().__init__()
        self.session = session or Session()
        self.settings = settings or Settings()
        self.show_dialogs = show_dialogs
        self.runner = JobRunner(self)
        self.runner.failed.connect(self.show_error)
        self.runner.message.connect(lambda text: self.statusBar().showMessage(text) if text
                                    else self.statusBar().clearMessage())
        self.runner.busy_changed.connect(self._on_busy)
        self._base_font = QApplication.font()
        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.summary = QLabel()
        self.statusBar().addPermanentWidget(self.summary)
        self._build_toolbar()
        shell = Shell(self.session, self.runner, self.settings, self.show_error,
                      lambda text, ms: self.statusBar().showMessage(text, ms), self.summary.setText)
        states = states or {}
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.workspaces: dict[str, Workspace] = {}
        for cls in WORKSPACES:
            workspace = cls(shell, states.get(cls.name))
            self.workspaces[cls.name] = workspace
            self.tabs.addTab(workspace, cls.title)
        self.setCentralWidget(self.tabs)
        self._build_menus()
        self.resize(*DEFAULT_SIZE)

    def workspace(self) -> Workspace:
        """The visible workspace."""
        return self.tabs.currentWidget()

    # ---- layout -------------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        self.model_combo = QComboBox()
        self.model_combo.addItems([*builtin_models(), MODEL_FILE])
        self.model_combo.activated.connect(self._on_model_chosen)
        self.device_combo = QComboBox()
        self.device_combo.addItems(["auto", "cpu"] + (["cuda"] if torch.cuda.is_available() else [])
                                   + (["mps"] if torch.backends.mps.is_available() else []))
        self.device_combo.activated.connect(self._on_device_chosen)
        self._sync_pickers()
        self.session.events.model.connect(self._sync_pickers)
        self.session.events.device.connect(self._sync_pickers)
        bar = QToolBar("Model")
        bar.setMovable(False)
        bar.addWidget(QLabel(" model "))
        bar.addWidget(self.model_combo)
        bar.addWidget(QLabel("  device "))
        bar.addWidget(self.device_combo)
        self.addToolBar(bar)

    def _build_menus(self) -> None:
        self.file_menu = self.menuBar().addMenu("&File")
        self.file_menu.aboutToShow.connect(self._fill_file_menu)
        self._fill_file_menu()
        self.tabs.currentChanged.connect(lambda _i: self._fill_file_menu())
        view_menu = self.menuBar().addMenu("&View")
        self.presentation_action = self._add_action(view_menu, "&Presentation mode", self.set_presentation,
                                                    QKeySequence(Qt.Key.Key_F11))
        self.presentation_action.setCheckable(True)

    def _fill_file_menu(self) -> None:
        """The visible workspace's entries, then what every workspace shares."""
        menu = self.file_menu
        menu.clear()
        self.workspace().fill_file_menu(menu)
        menu.addSeparator()
        self._add_action(menu, "Open &model file\u2026", self._choose_model_file)
        menu.addSeparator()
        self._add_action(menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

    def _add_action(self, menu, text, slot, shortcut=None) -> QAction:
        action = QAction(text, menu)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # ---- model and device ---------------------------------------------------------------------
    def set_model(self, spec: str, device: str | None = ...) -> None:
        """Load a built-in model or a model file on ``device`` (default: the current one); the
        session changes only when it loads, and the workspaces follow."""
        device = self.session.device if device is ... else device
        self.runner.start(Job(_load_model_job, spec, device), f"loading {spec}\u2026", self._on_model_loaded)

    def _on_model_loaded(self, choice: tuple[str, str | None]) -> None:
        self.session.model, self.session.device = choice

    def _on_model_chosen(self, _index: int) -> None:
        choice = self.model_combo.currentText()
        if choice == MODEL_FILE:
            self._choose_model_file()
        elif choice != self.session.model:
            self.set_model(choice)
        self._sync_pickers()

    def _on_device_chosen(self, _index: int) -> None:
        choice = self.device_combo.currentText()
        self.set_model(self.session.model, None if choice == "auto" else choice)

    def _sync_pickers(self, *_args) -> None:
        if self.model_combo.findText(self.session.model) < 0:
            self.model_combo.insertItem(0, self.session.model)
        self.model_combo.setCurrentText(self.session.model)
        self.device_combo.setCurrentText(self.session.device or "auto")

    def _choose_model_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open TorchScript model", "",
                                              "TorchScript models (*.pt *.pth *.jit *.ts);;All files (*)")
        if path:
            self.set_model(path)

    def _on_busy(self, busy: bool) -> None:
        self.model_combo.setEnabled(not busy)
        self.device_combo.setEnabled(not busy)
        if not busy:
            self._sync_pickers()

    def busy(self) -> bool:
        """Whether a job is running."""
        return self.runner.busy()

    # ---- files, errors, presentation ----------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            if Path(paths[0]).suffix.lower() in MODEL_SUFFIXES:
                self.set_model(paths[0])
            else:
                self.workspace().open_file(paths[0])

    def show_error(self, message: str) -> None:
        """Report an error: a dialog (unless scripted) and the ``error_occurred`` signal."""
        self.error_occurred.emit(message)
        if self.show_dialogs:
            QMessageBox.critical(self, APP_TITLE, message)

    def set_presentation(self, on: bool) -> None:
        """Full screen with larger fonts for demos (F11 toggles)."""
        scale = PRESENTATION_FONT_SCALE if on else 1.0
        font = QFont(self._base_font)
        font.setPointSizeF(self._base_font.pointSizeF() * scale)
        QApplication.instance().setFont(font)
        for workspace in self.workspaces.values():
            workspace.set_text_scale(scale)
        self.presentation_action.setChecked(on)
        self.showFullScreen() if on else self.showNormal()

    def closeEvent(self, event) -> None:
        """Stop a running job and wait for its thread before closing."""
        self.runner.shutdown()
        super().closeEvent(event)
