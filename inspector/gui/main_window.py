"""The main window: pickers and attack panel on the left, panes, probabilities and live plot in the centre.

It holds no model logic: it keeps a :class:`ViewState`, starts workers
(:mod:`inspector.gui.worker`) that drive the core, and renders what they send back.
"""

from __future__ import annotations

from pathlib import Path

import torch
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QFont, QIcon, QKeySequence, QPalette, QPixmap
from PySide6.QtWidgets import (QApplication, QComboBox, QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel,
                               QListView, QListWidget, QListWidgetItem, QMainWindow, QMessageBox, QProgressBar,
                               QPushButton, QScrollArea, QSplitter, QVBoxLayout, QWidget)

from inspector.core.attacks import ATTACKS
from inspector.core.errors import InspectorError
from inspector.core.image import IMAGE_SUFFIXES
from inspector.core.labels import resolve_class
from inspector.core.models import builtin_models
from inspector.core.resources import resource_path, sample_images
from inspector.gui import export
from inspector.gui.attack_form import AttackForm, ClassPicker
from inspector.gui.compare_panel import ComparePanel
from inspector.gui.defense_panel import DefensePanel
from inspector.gui.image_panes import ImagePanes
from inspector.gui.live_plot import LivePlot
from inspector.gui.probabilities import ProbabilityPanel
from inspector.gui.probability_entries import attack_entries, comparison_entries
from inspector.gui.settings import Settings
from inspector.gui.state import Preview, ViewState
from inspector.gui.worker import AttackOutcome, AttackWorker, PreviewWorker, Progress, Worker

DEFAULT_SIZE = (1400, 900)
SIDE_WIDTH = 330
MODEL_FILE = "TorchScript file\u2026"
MODEL_SUFFIXES = (".pt", ".pth", ".jit", ".ts")
PRESENTATION_FONT_SCALE = 1.5
APP_TITLE = "Robustness Inspector"


def app_icon() -> QIcon:
    return QIcon(str(resource_path("icons", "robustness-inspector.svg")))


class MainWindow(QMainWindow):
    """Signals, emitted once the worker thread has ended: ``preview_ready`` (an original is
    shown), ``attack_finished`` (the Inspection); and ``error_occurred`` (the message, also
    shown in a dialog when ``show_dialogs``)."""

    preview_ready = Signal()
    attack_finished = Signal(object)
    error_occurred = Signal(str)

    def __init__(self, state: ViewState | None = None, settings: Settings | None = None, *,
                 show_dialogs: bool = True):
        super().__init__()
        self.state = state or ViewState()
        self.settings = settings or Settings()
        self.show_dialogs = show_dialogs
        self.worker: Worker | None = None
        self._base_font = QApplication.font()
        self.setWindowTitle(APP_TITLE)
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self._build_widgets()
        self._build_menus()
        self.resize(*DEFAULT_SIZE)
        self.attack_combo.setCurrentText(ATTACKS[self.state.attack].title)
        self._show_form()
        self.load(self.state.image, self.state.model)

    # ---- layout -------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        self.model_combo = QComboBox()
        self.model_combo.addItems([*builtin_models(), MODEL_FILE])
        if self.state.model not in builtin_models():
            self.model_combo.insertItem(0, self.state.model)
        self.model_combo.setCurrentText(self.state.model)
        self.model_combo.activated.connect(self._on_model_chosen)
        self.device_combo = QComboBox()
        self.device_combo.addItems(["auto", "cpu"] + (["cuda"] if torch.cuda.is_available() else [])
                                   + (["mps"] if torch.backends.mps.is_available() else []))
        self.device_combo.setCurrentText(self.state.device or "auto")
        self.device_combo.activated.connect(self._on_device_chosen)
        model_box = QGroupBox("Model")
        form = QFormLayout(model_box)
        form.addRow("model", self.model_combo)
        form.addRow("device", self.device_combo)

        self.gallery = QListWidget()
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(72, 72))
        self.gallery.setFixedHeight(110)
        self.gallery.setMovement(QListView.Movement.Static)
        for path in sample_images():
            item = QListWidgetItem(QIcon(QPixmap(str(path)).scaled(72, 72, Qt.AspectRatioMode.KeepAspectRatio,
                                                                   Qt.TransformationMode.SmoothTransformation)),
                                   path.stem)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.gallery.addItem(item)
        self.gallery.itemClicked.connect(lambda item: self.open_image(item.data(Qt.ItemDataRole.UserRole)))
        open_button = QPushButton("Open image\u2026")
        open_button.clicked.connect(self._choose_image)
        self.image_label = QLabel()
        self.image_label.setWordWrap(True)
        image_box = QGroupBox("Image (samples, File > Open, or drop a file)")
        layout = QVBoxLayout(image_box)
        layout.addWidget(self.gallery)
        layout.addWidget(self.image_label)
        layout.addWidget(open_button)

        self.attack_combo = QComboBox()
        for name, cls in ATTACKS.items():
            self.attack_combo.addItem(cls.title, name)
        self.attack_combo.currentIndexChanged.connect(self._on_attack_chosen)
        self.attack_info = QLabel()
        self.attack_info.setWordWrap(True)
        palette = self.attack_info.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#666"))   # a palette, not a style sheet,
        self.attack_info.setPalette(palette)                              # so presentation fonts apply
        self.form = AttackForm()
        self.class_picker = ClassPicker()
        self.class_picker.currentIndexChanged.connect(
            lambda _i: setattr(self.state, "target", self.class_picker.target()))
        self.run_button = QPushButton("Run attack")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run_attack)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setFormat("no attack run yet")
        attack_box = QGroupBox("Attack")
        layout = QVBoxLayout(attack_box)
        layout.addWidget(self.attack_combo)
        layout.addWidget(self.attack_info)
        layout.addWidget(self.form)
        target_form = QFormLayout()
        target_form.addRow("target", self.class_picker)
        layout.addLayout(target_form)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)

        self.side = QWidget()
        side_layout = QVBoxLayout(self.side)
        self.defense_panel = DefensePanel(self.state)
        self.compare_panel = ComparePanel(self.state)
        for box in (model_box, image_box, attack_box, self.defense_panel, self.compare_panel):
            side_layout.addWidget(box)
        side_layout.addStretch(1)
        self.side_scroll = scroll = QScrollArea()
        scroll.setWidget(self.side)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit_side_panel(SIDE_WIDTH)

        self.panes = ImagePanes()
        self.panes.hovered.connect(lambda text: self.statusBar().showMessage(text, 4000))
        self.probabilities = ProbabilityPanel()
        self.live_plot = LivePlot()
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(self.probabilities)
        bottom.addWidget(self.live_plot)
        bottom.setSizes([560, 440])
        centre = QSplitter(Qt.Orientation.Vertical)
        centre.addWidget(self.panes)
        centre.addWidget(bottom)
        centre.setSizes([480, 380])
        main = QSplitter(Qt.Orientation.Horizontal)
        main.addWidget(scroll)
        main.addWidget(centre)
        main.setStretchFactor(1, 1)
        self.setCentralWidget(main)
        self.summary = QLabel()
        self.statusBar().addPermanentWidget(self.summary)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self._add_action(file_menu, "&Open image\u2026", self._choose_image, QKeySequence.StandardKey.Open)
        self._add_action(file_menu, "Open &model file\u2026", self._choose_model_file)
        self.recent_menu = file_menu.addMenu("&Recent images")
        self._fill_recent()
        samples = file_menu.addMenu("&Sample images")
        for path in sample_images():
            self._add_action(samples, path.name, lambda checked=False, p=str(path): self.open_image(p))
        file_menu.addSeparator()
        self._add_action(file_menu, "Export &adversarial\u2026", lambda: self.export_dialog("adversarial"),
                         QKeySequence.StandardKey.Save)
        self._add_action(file_menu, "Export &perturbation\u2026", lambda: self.export_dialog("perturbation"))
        self._add_action(file_menu, "Export &figure for slides\u2026", lambda: self.export_dialog("figure"))
        self._add_action(file_menu, "Export &recipe (JSON)\u2026", lambda: self.export_dialog("recipe"))
        file_menu.addSeparator()
        self._add_action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)
        view_menu = self.menuBar().addMenu("&View")
        self.presentation_action = self._add_action(view_menu, "&Presentation mode", self.set_presentation,
                                                    QKeySequence(Qt.Key.Key_F11))
        self.presentation_action.setCheckable(True)

    def _add_action(self, menu, text, slot, shortcut=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent:
            self._add_action(self.recent_menu, path, lambda checked=False, p=path: self.open_image(p))
        self.recent_menu.setEnabled(bool(self.settings.recent))

    # ---- loading ------------------------------------------------------------------------------
    def open_image(self, path: str) -> None:
        """Load and classify an image file; on failure, show why and keep the current one."""
        self.load(str(path), self.state.model)

    def set_model(self, spec: str) -> None:
        """Switch to a built-in model or a TorchScript file; on failure, keep the current one."""
        self.load(self.state.image, spec)

    def load(self, image: str, model: str, device: str | None = ...) -> None:
        """Load ``image`` with ``model`` on ``device`` (default: the current one) in a worker;
        the state changes only when that succeeds."""
        device = self.state.device if device is ... else device
        if not self._idle():
            return
        worker = PreviewWorker(image, model, device, self)
        worker.done.connect(lambda preview: self._on_preview(image, model, device, preview))
        self._start(worker, f"loading {Path(image).name} on {model}\u2026")

    def _on_preview(self, image: str, model: str, device: str | None, preview: Preview) -> None:
        first_load = self.state.preview is None
        self.state.image, self.state.model, self.state.device, self.state.preview = image, model, device, preview
        self.state.inspection = self.state.comparison = None
        self.compare_panel.set_model(model)
        if not first_load:
            self.settings.add_recent(image)
            self._fill_recent()
        self.image_label.setText(Path(image).name)
        self._sync_model_combo()
        pending_target = self.state.target
        self.class_picker.set_classes(preview.class_names)
        top = preview.classification.top_k[0]
        self.panes.set_image(0, preview.pixels, f"{top['name']} ({top['probability']:.0%})")
        self.panes.clear_attack()
        self.live_plot.reset()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat("no attack run yet")
        self._show_probabilities()
        self.summary.setText(f"device {preview.device}  \u00b7  model {model}")
        if isinstance(pending_target, str):
            self._resolve_target(pending_target)

    # ---- attacks ------------------------------------------------------------------------------
    def run_attack(self) -> None:
        """Start the chosen attack on the current image in a worker thread."""
        if not self._idle() or self.state.preview is None:
            return
        worker = AttackWorker(self.state.recipe(), self.state.preview.classification.label, self,
                              compare=self.state.compare, compare_direct=self.state.compare_direct)
        worker.progress.connect(self._on_progress)
        worker.stage.connect(self._on_stage)
        worker.frame.connect(self._on_frame)
        worker.done.connect(self._on_attack_done)
        self.live_plot.reset()
        self.live_plot.set_subject("")
        self.progress.setRange(0, 0)          # busy until the first iteration gives the total
        self.progress.setFormat("iteration %v / %m")
        self._start(worker, f"running {ATTACKS[self.state.attack].title}\u2026")

    def cancel(self) -> None:
        """Stop the running attack at its next iteration."""
        if self.worker is not None:
            self.worker.cancel()

    def _on_stage(self, model: str) -> None:
        """A model comparison starts its next attack: a fresh progress bar and plot."""
        self.statusBar().showMessage(f"attacking {model}\u2026")
        self.live_plot.reset()
        self.live_plot.set_subject(model)
        self.progress.setRange(0, 0)

    def _on_progress(self, p: Progress) -> None:
        if self.progress.maximum() != p.total:
            self.progress.setRange(0, p.total)
            self.live_plot.reset(p.total)
        self.progress.setValue(p.iteration)
        self.live_plot.add(p.iteration, p.loss, p.true_probability)

    def _on_frame(self, frame) -> None:
        self.panes.set_image(1, frame.perturbation)
        self.panes.set_image(2, frame.adversarial)
        self.panes.set_scale(frame.scale)
        self.live_plot.redraw()

    def _on_attack_done(self, outcome: AttackOutcome) -> None:
        inspection = outcome.inspection
        self.state.inspection, self.state.comparison = inspection, outcome.comparison
        self._on_frame(outcome.frame)
        top = inspection.adversarial.top_k[0]
        self.panes.set_image(2, outcome.frame.adversarial, f"{top['name']} ({top['probability']:.0%})")
        self._show_probabilities()
        summary = inspection.to_dict()
        norms = summary["norms"]
        verdict = "SUCCESS" if inspection.success else "failed"
        if inspection.attack.cancelled:
            verdict = f"cancelled after {inspection.attack.iterations} iterations"
        if ATTACKS[inspection.recipe.attack].threat_model == "white-box":
            cost = f"{summary['gradient_evaluations']} gradient evaluations"
        else:
            cost = f"{summary['queries']} queries"
        if self.progress.maximum() == 0:             # no iteration reported: leave the busy state
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.progress.setFormat("done")
        self.summary.setText(
            f"{verdict}  \u00b7  device {summary['model']['device']}  \u00b7  {inspection.attack_time_s:.2f} s  \u00b7  "
            f"{cost}  \u00b7  "
            f"Linf {norms['linf_grey']:.1f}/255  \u00b7  L2 {norms['l2']:.3f}")

    def _show_probabilities(self) -> None:
        comparison = self.state.comparison
        if comparison is not None:
            self.probabilities.set_entries(*comparison_entries(comparison))
        else:
            self.probabilities.set_entries(attack_entries(self.state.preview.classification, self.state.inspection))
        self.live_plot.setVisible(comparison is None)     # the comparison's columns need the width

    # ---- workers ------------------------------------------------------------------------------
    def _idle(self) -> bool:
        if self.worker is not None:
            self.statusBar().showMessage("busy: wait for the current job or cancel it first", 4000)
        return self.worker is None

    def _start(self, worker: Worker, message: str) -> None:
        self.worker = worker
        worker.failed.connect(self.show_error)
        worker.finished.connect(self._on_worker_finished)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(isinstance(worker, AttackWorker))
        self.statusBar().showMessage(message)
        worker.start()

    def _on_worker_finished(self) -> None:
        worker, self.worker = self.worker, None
        self.run_button.setEnabled(self.state.preview is not None)
        self.cancel_button.setEnabled(False)
        self.statusBar().clearMessage()
        self._sync_model_combo()
        self.device_combo.setCurrentText(self.state.device or "auto")
        worker.deleteLater()
        if worker.succeeded and isinstance(worker, PreviewWorker):
            self.preview_ready.emit()
        elif worker.succeeded:
            self.attack_finished.emit(self.state.inspection)

    def busy(self) -> bool:
        """Whether a worker is running."""
        return self.worker is not None

    def closeEvent(self, event) -> None:
        """Stop a running attack and wait for its thread before closing."""
        if self.worker is not None:
            self.worker.cancel()
            self.worker.wait()
        super().closeEvent(event)

    # ---- user choices -------------------------------------------------------------------------
    def _show_form(self) -> None:
        cls = ATTACKS[self.state.attack]
        self.attack_info.setText(f"{cls.threat_model}; {cls.paper}")
        self.form.set_attack(self.state.attack, self.state.attack_params())

    def _resolve_target(self, spec: str) -> None:
        try:
            self.state.target = resolve_class(spec, self.state.preview.class_names)
        except InspectorError as exc:
            self.state.target = None
            self.show_error(str(exc))
        self.class_picker.set_target(self.state.target)

    def _on_attack_chosen(self, _index: int) -> None:
        self.state.attack = self.attack_combo.currentData()
        self._show_form()

    def _on_model_chosen(self, _index: int) -> None:
        choice = self.model_combo.currentText()
        if choice == MODEL_FILE:
            self._choose_model_file()
        elif choice != self.state.model:
            self.set_model(choice)
        self._sync_model_combo()

    def _on_device_chosen(self, _index: int) -> None:
        choice = self.device_combo.currentText()
        self.load(self.state.image, self.state.model, None if choice == "auto" else choice)

    def _sync_model_combo(self) -> None:
        if self.model_combo.findText(self.state.model) < 0:
            self.model_combo.insertItem(0, self.state.model)
        self.model_combo.setCurrentText(self.state.model)

    def _choose_image(self) -> None:
        patterns = " ".join(f"*{s}" for s in IMAGE_SUFFIXES)
        path, _ = QFileDialog.getOpenFileName(self, "Open image", str(Path(self.state.image).parent),
                                              f"Images ({patterns});;All files (*)")
        if path:
            self.open_image(path)

    def _choose_model_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open TorchScript model", "",
                                              "TorchScript models (*.pt *.pth *.jit *.ts);;All files (*)")
        if path:
            self.set_model(path)

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            if Path(paths[0]).suffix.lower() in MODEL_SUFFIXES:
                self.set_model(paths[0])
            else:
                self.open_image(paths[0])

    # ---- export, errors, presentation ---------------------------------------------------------
    def export_to(self, kind: str, path: str) -> bool:
        """Write ``kind`` (adversarial, perturbation, figure, recipe) of the last attack to ``path``."""
        writers = {"adversarial": export.export_adversarial, "perturbation": export.export_perturbation,
                   "figure": export.export_figure,
                   "recipe": lambda inspection, path: export.export_recipe(inspection, path, self.state.comparison)}
        try:
            writers[kind](self.state.inspection, path)
        except InspectorError as exc:
            self.show_error(str(exc))
            return False
        self.statusBar().showMessage(f"saved {path}", 5000)
        return True

    def export_dialog(self, kind: str) -> None:
        if self.state.inspection is None:
            self.show_error("nothing to export yet: run an attack first")
            return
        stem = Path(self.state.image).stem
        filters = {"recipe": "JSON (*.json)",
                   "adversarial": "PNG, lossless (*.png);;JPEG, may undo the attack (*.jpg *.jpeg)"}
        suffix = ".json" if kind == "recipe" else ".png"
        path, _ = QFileDialog.getSaveFileName(self, f"Export {kind}", f"{stem}-{kind}{suffix}",
                                              filters.get(kind, "PNG (*.png)"))
        if not path:
            return
        if kind == "adversarial" and export.is_lossy(path):
            answer = QMessageBox.warning(self, APP_TITLE, export.JPEG_WARNING + "\n\nSave as JPEG anyway?",
                                         QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Save:
                return
        self.export_to(kind, path)

    def show_error(self, message: str) -> None:
        """Report an error: a dialog (unless scripted) and the ``error_occurred`` signal."""
        self.error_occurred.emit(message)
        if self.show_dialogs:
            QMessageBox.critical(self, APP_TITLE, message)

    def _fit_side_panel(self, width: int) -> None:
        """Make the left panel wide enough for its contents at the current font."""
        width = max(width, self.side.sizeHint().width() + self.side_scroll.verticalScrollBar().sizeHint().width())
        self.side_scroll.setMinimumWidth(width)
        self.side_scroll.setMaximumWidth(width + 90)

    def set_presentation(self, on: bool) -> None:
        """Full screen with larger fonts for demos (F11 toggles)."""
        scale = PRESENTATION_FONT_SCALE if on else 1.0
        font = QFont(self._base_font)
        font.setPointSizeF(self._base_font.pointSizeF() * scale)
        QApplication.instance().setFont(font)
        self.panes.set_text_scale(scale)
        self.probabilities.set_text_scale(scale)
        self._fit_side_panel(round(SIDE_WIDTH * scale))
        self.presentation_action.setChecked(on)
        self.showFullScreen() if on else self.showNormal()

