"""The main window: the shared model and device pickers, the workspaces as tabs, menus and status bar.

It holds no attack logic and formats no results: each workspace
(:mod:`inspector.gui.workspace_tabs`) does its own work on the :class:`Shell` the
window gives it: the evented :class:`Session` (model, device), its own
:class:`JobRunner` (a long evaluation does not hold up an attack in another tab), settings
and messages.
"""

from __future__ import annotations

from pathlib import Path

import torch
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QToolBar,
)

from inspector.core.models.architectures import ARCHITECTURES
from inspector.core.models.formats import MODEL_SUFFIXES, NEEDS_TRUST, file_kind
from inspector.core.models.formats.pickled import SAFE_FORMATS
from inspector.core.models.loading import builtin_models, load_model
from inspector.core.replay import read_source
from inspector.core.util.errors import InspectorError
from inspector.core.util.messages import show_path
from inspector.gui.about import show_about
from inspector.gui.branding import APP_TITLE, app_icon
from inspector.gui.jobs import Job, JobRunner
from inspector.gui.lazy_tabs import LazyTabs
from inspector.gui.model_setup import ModelSetupDialog
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.shell import Shell
from inspector.gui.wheel_guard import install_wheel_guard
from inspector.gui.workspace import Workspace
from inspector.gui.workspace_tabs import WORKSPACES, WorkspaceEntry

#: The window's size at start, made smaller where the screen is (see :func:`initial_size`).
DEFAULT_SIZE = (1400, 900)
MODEL_FILE = "Model file\u2026"
MODEL_FILTER = f"Model files ({' '.join('*' + s for s in MODEL_SUFFIXES)});;All files (*)"
#: Saved runs: results, recipes, manifests (JSON) and evaluation reports (HTML).
RECIPE_SUFFIXES = (".json", ".html", ".htm")
RECIPE_FILTER = f"Saved runs ({' '.join('*' + s for s in RECIPE_SUFFIXES)});;All files (*)"
PRESENTATION_FONT_SCALE = 1.5


#: What the model picker and the session hold: (spec, weights, trust_code).
ModelChoice = tuple[str, str | None, bool]


def _load_model_job(job: Job, choice: ModelChoice, device: str | None) -> tuple[ModelChoice, str | None]:
    spec, weights, trust_code = choice
    load_model(spec, device, weights=weights, trust_code=trust_code)
    return choice, device


def initial_size(available: tuple[int, int] | None) -> tuple[int, int]:
    """:data:`DEFAULT_SIZE`, shrunk to fit ``available`` (the screen's free width and height in pixels,
    less a margin for the window frame); None: no screen known."""
    if available is None:
        return DEFAULT_SIZE
    return min(DEFAULT_SIZE[0], available[0] - 16), min(DEFAULT_SIZE[1], available[1] - 40)


def model_label(choice: ModelChoice) -> str:
    """How the model picker shows a choice: the spec, and the weights file's name if any."""
    spec, weights, _trust = choice
    return spec if weights is None else f"{spec} + {Path(weights).name}"


class MainWindow(QMainWindow):
    """``error_occurred(message)`` is emitted for every error (also shown in a dialog when ``show_dialogs``).

    ``states`` gives workspaces their initial view state by workspace name.
    """

    error_occurred = Signal(str)

    def __init__(
        self,
        session: Session | None = None,
        settings: Settings | None = None,
        *,
        states: dict | None = None,
        show_dialogs: bool = True,
    ):
        super().__init__()
        install_wheel_guard(QApplication.instance())
        self.session = session or Session()
        self.settings = settings or Settings()
        self.show_dialogs = show_dialogs
        self.runners: list[JobRunner] = []
        self.runner = self._new_runner()  # the window's own jobs: loading a model
        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.summary = QLabel()
        self.statusBar().addPermanentWidget(self.summary)
        self._build_toolbar()
        states = states or {}
        self._presenting = False  # before the tabs: the first workspace is built with them
        self._summaries: dict[str, str] = {}
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.workspaces = LazyTabs(self.tabs, WORKSPACES, lambda entry: self._build_workspace(entry, states))
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.setCentralWidget(self.tabs)
        self._build_menus()
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self._on_escape)
        screen = self.screen() or QApplication.primaryScreen()
        free = screen.availableGeometry() if screen is not None else None
        self.resize(*initial_size(None if free is None else (free.width(), free.height())))

    def workspace(self) -> Workspace:
        """The visible workspace."""
        return self.workspaces.current()

    def _build_workspace(self, entry: WorkspaceEntry, states: dict) -> Workspace:
        """A workspace on its tab's first visit: ``states`` holds its initial view state, if any. It gets
        its own job runner (behind the window's, so no job starts while a model loads) and its own summary
        (the status bar's right), shown while its tab is."""
        shell = Shell(
            self.session,
            self._new_runner(behind=self.runner),
            self.settings,
            self.show_error,
            lambda text, ms: self.statusBar().showMessage(text, ms),
            lambda text: self._set_summary(entry.name, text),
        )
        workspace = entry.load()(shell, states.get(entry.name))
        if self._presenting:
            workspace.set_text_scale(PRESENTATION_FONT_SCALE)
            workspace.set_presenter(True)
        return workspace

    def _set_summary(self, name: str, text: str) -> None:
        self._summaries[name] = text
        if self.tabs.currentIndex() == [entry.name for entry in WORKSPACES].index(name):
            self.summary.setText(text)

    def _on_tab_changed(self, index: int) -> None:
        """Messages and the summary are the visible workspace's: another tab's do not follow."""
        self.statusBar().clearMessage()
        self.summary.setText(self._summaries.get(WORKSPACES[index].name, "") if index >= 0 else "")

    def _new_runner(self, behind: JobRunner | None = None) -> JobRunner:
        """A job runner (``behind`` another, see :class:`JobRunner`) whose errors, messages and busy
        state reach the window."""
        runner = JobRunner(self, behind=behind)
        runner.failed.connect(self.show_error)
        runner.message.connect(
            lambda text: self.statusBar().showMessage(text) if text else self.statusBar().clearMessage()
        )
        runner.busy_changed.connect(self._on_busy)
        self.runners.append(runner)
        return runner

    # ---- layout -------------------------------------------------------------------------------
    def _build_toolbar(self) -> None:
        self.model_combo = QComboBox()
        for name in builtin_models():
            self.model_combo.addItem(name, (name, None, False))
        self.model_combo.addItem(MODEL_FILE, None)
        self.model_combo.activated.connect(self._on_model_chosen)
        self.device_combo = QComboBox()
        self.device_combo.addItems(
            ["auto", "cpu"]
            + (["cuda"] if torch.cuda.is_available() else [])
            + (["mps"] if torch.backends.mps.is_available() else [])
        )
        self.device_combo.activated.connect(self._on_device_chosen)
        self._sync_pickers()
        self.session.events.model.connect(self._sync_pickers)
        self.session.events.device.connect(self._sync_pickers)
        bar = self.toolbar = QToolBar("Model")
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
        self.presentation_action = self._add_action(
            view_menu, "&Presenter mode", self.set_presentation, QKeySequence(Qt.Key.Key_F11)
        )
        self.presentation_action.setCheckable(True)
        self.addAction(self.presentation_action)  # its key works with the menu bar hidden (presenter mode)
        help_menu = self.menuBar().addMenu("&Help")
        self.about_action = self._add_action(help_menu, "&About", lambda: show_about(self, self.settings.path))

    def _fill_file_menu(self) -> None:
        """The visible workspace's entries, then what every workspace shares."""
        menu = self.file_menu
        menu.clear()
        self.workspace().fill_file_menu(menu)
        menu.addSeparator()
        self._add_action(menu, "Open re&cipe\u2026", self._choose_recipe)
        self._add_action(menu, "Open &model file\u2026", self._choose_model_file)
        self.setup_action = self._add_action(menu, "Model &set-up\u2026", self.open_model_setup)
        self.setup_action.setEnabled(self.model_file() is not None)
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
    def set_model(
        self, spec: str, device: str | None = ..., *, weights: str | None = None, trust_code: bool = False
    ) -> None:
        """Load a built-in model, a model file, or an architecture with ``weights`` on ``device``
        (default: the current one); ``trust_code`` allows a pickled whole model. The session changes
        only when it loads, and the workspaces follow."""
        device = self.session.device if device is ... else device
        choice = (spec, weights, trust_code)
        self.runner.start(
            Job(_load_model_job, choice, device), f"loading {model_label(choice)}\u2026", self._on_model_loaded
        )

    def current_choice(self) -> ModelChoice:
        return self.session.model, self.session.weights, self.session.trust_code

    def model_file(self) -> Path | None:
        """The file the current model was loaded from (the weights file for an architecture); None for a built-in."""
        if self.session.weights is not None:
            return Path(self.session.weights)
        return None if self.session.model in builtin_models() else Path(self.session.model)

    def _on_model_loaded(self, loaded: tuple[ModelChoice, str | None]) -> None:
        (spec, weights, trust_code), device = loaded
        # weights and trust first: the workspaces reload when the model or device changes
        self.session.weights, self.session.trust_code = weights, trust_code
        self.session.model, self.session.device = spec, device

    def _on_model_chosen(self, _index: int) -> None:
        choice = self.model_combo.currentData()
        if choice is None:
            self._choose_model_file()
        elif tuple(choice) != self.current_choice():
            spec, weights, trust_code = choice
            self.set_model(spec, weights=weights, trust_code=trust_code)
        self._sync_pickers()

    def _on_device_chosen(self, _index: int) -> None:
        choice = self.device_combo.currentText()
        spec, weights, trust_code = self.current_choice()
        self.set_model(spec, None if choice == "auto" else choice, weights=weights, trust_code=trust_code)

    def _sync_pickers(self, *_args) -> None:
        current = self.current_choice()
        index = next(
            (
                i
                for i in range(self.model_combo.count())
                if self.model_combo.itemData(i) is not None and tuple(self.model_combo.itemData(i)) == current
            ),
            -1,
        )
        if index < 0:
            self.model_combo.insertItem(0, model_label(current), current)
            index = 0
        self.model_combo.setCurrentIndex(index)
        self.device_combo.setCurrentText(self.session.device or "auto")

    def _choose_recipe(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open recipe", "", RECIPE_FILTER)
        if path:
            self.open_recipe(path)

    def open_recipe(self, path: str) -> bool:
        """Open a saved run in the workspace that opens its kind (its ``opens``), with its settings:
        an attack replays in Evasion, an evaluation is set up in Evaluate, a privacy result in
        Privacy, a poisoning run in Training-time, a physical attack in Physical. False (after one
        error line) for a bad file or a kind no workspace opens."""
        try:
            source = read_source(path)
        except InspectorError as exc:
            self.show_error(str(exc))
            return False
        entry = next((e for e in WORKSPACES if isinstance(source, e.load().opens)), None)
        if entry is None:
            self.show_error(f"{show_path(path)}: no workspace of this app opens this kind of saved run")
            return False
        workspace = self.workspaces[entry.name]  # built on the spot if its tab was never visited
        self.tabs.setCurrentWidget(workspace)
        return workspace.open_source(source, self.confirm_code)

    def _choose_model_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open model file", "", MODEL_FILTER)
        if path:
            self.open_model_file(path)

    def open_model_file(self, path: str) -> None:
        """Load the model in ``path``: a pickled whole model after the user's confirmation that it may run
        code; weights with the architecture the user picks; any other file as it is."""
        kind = file_kind(path)
        if kind in NEEDS_TRUST:
            if self.confirm_code(path, kind):
                self.set_model(path, trust_code=True)
        elif kind == "weights":
            names = list(ARCHITECTURES)
            arch, ok = QInputDialog.getItem(
                self, APP_TITLE, f"{Path(path).name} holds weights only.\nArchitecture they belong to:", names, 0, False
            )
            if ok:
                self.set_model(arch, weights=path)
        else:
            self.set_model(path)

    def confirm_code(self, path: str, kind: str = "pickle") -> bool:
        """Ask whether to load a pickled whole model or TorchScript, which run code from the file; True for yes."""
        what = "a TorchScript model (a program)" if kind == "torchscript" else "a pickled model"
        text = (
            f"{Path(path).name} is {what}. Loading it runs code from the file, which can do "
            "anything on this computer.\n\nLoad it only if you trust where it came from. Safe formats: "
            f"{', '.join(SAFE_FORMATS)}."
        )
        answer = QMessageBox.warning(
            self,
            APP_TITLE,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def open_model_setup(self) -> ModelSetupDialog | None:
        """Open the set-up dialog of the current model file (None for a built-in model); saving it
        reloads the model with the new metadata."""
        path = self.model_file()
        if path is None:
            self.show_error("Model set-up edits the metadata of a model file: open one first (File > Open model file)")
            return None
        spec, weights, trust_code = self.current_choice()
        try:
            model = load_model(spec, self.session.device, weights=weights, trust_code=trust_code)
        except InspectorError as exc:
            self.show_error(str(exc))
            return None
        dialog = ModelSetupDialog(path, model, self)
        dialog.saved.connect(self._on_setup_saved)
        dialog.show()
        return dialog

    def _on_setup_saved(self) -> None:
        """The sidecar changed on disk, so the model loads again with it (see load_model's cache)."""
        for workspace in self.workspaces.values():
            workspace.model_changed()

    def _on_busy(self, _busy: bool) -> None:
        """The model and device stay as they are while any job runs (in any workspace)."""
        busy = self.busy()
        self.model_combo.setEnabled(not busy)
        self.device_combo.setEnabled(not busy)
        if not busy:
            self._sync_pickers()

    def busy(self) -> bool:
        """Whether a job is running, the window's or a workspace's."""
        return any(runner.busy() for runner in self.runners)

    # ---- files, errors, presentation ----------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            suffix = Path(paths[0]).suffix.lower()
            if suffix in MODEL_SUFFIXES:
                self.open_model_file(paths[0])
            elif suffix in RECIPE_SUFFIXES:
                self.open_recipe(paths[0])
            else:
                self.workspace().open_file(paths[0])

    def show_error(self, message: str) -> None:
        """Report an error: a dialog (unless scripted) and the ``error_occurred`` signal."""
        self.error_occurred.emit(message)
        if self.show_dialogs:
            QMessageBox.critical(self, APP_TITLE, message)

    def set_presentation(self, on: bool, *, full_screen: bool = True) -> None:
        """Presenter mode for demos (F11 toggles, Esc leaves): no menus, tool bar, tabs or status bar, each
        workspace in its presenter layout with its results' text larger (see :meth:`Workspace.set_presenter`);
        full screen unless ``full_screen`` is False (a scripted window size). Leaving restores the layout.

        The application's font stays: the hidden controls of every workspace would otherwise widen the window.
        """
        scale = PRESENTATION_FONT_SCALE if on else 1.0
        self._presenting = on
        for workspace in self.workspaces.values():
            workspace.set_text_scale(scale)
            workspace.set_presenter(on)
        for bar in (self.menuBar(), self.toolbar, self.statusBar(), self.tabs.tabBar()):
            bar.setVisible(not on)
        self.presentation_action.setChecked(on)
        if on and full_screen:
            self.showFullScreen()
        elif not on and self.isFullScreen():
            self.showNormal()

    def presenting(self) -> bool:
        """Whether presenter mode is on."""
        return self._presenting

    def _on_escape(self) -> None:
        """Esc stops the visible workspace's running job; with none, it leaves presenter mode."""
        runner = self.workspace().shell.runner
        if runner.busy():
            runner.cancel()
        elif self.presenting():
            self.set_presentation(False)

    def closeEvent(self, event) -> None:
        """Stop the running jobs and wait for their threads before closing."""
        for runner in self.runners:
            runner.shutdown()
        super().closeEvent(event)
