"""The setup panel: the kind of pattern and its parameters, the views' ranges (generic
:class:`~inspector.gui.param_form.ParamForm`\\ s), the folders to make it on and to measure it on,
the target, the mask; and a footer with Run / Cancel and the progress.

Edits go into :class:`~inspector.gui.workspaces.physical.state.PhysicalState`; the buttons emit
``run_clicked`` and ``cancel_clicked``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from inspector.core.physical import PHYSICAL_ATTACKS
from inspector.core.physical.views import WIDER, Views
from inspector.gui.attack_form import ClassPicker
from inspector.gui.param_form import ParamForm
from inspector.gui.run_bar import RunBar
from inspector.gui.workspaces.physical.state import PhysicalState

#: The kinds made and measured on the digital images: the views' ranges do not apply to them.
DIGITAL_KINDS = ("uap",)
#: The most views per held-out image the form offers.
MAX_VIEWS_PER_IMAGE = 10_000


class SetupPanel(QGroupBox):
    """Signals: ``run_clicked``, ``cancel_clicked``. ``footer``: the Run / Cancel row and the
    progress, for the workspace to keep in view below the scrolling panels."""

    run_clicked = Signal()
    cancel_clicked = Signal()
    paint_clicked = Signal()

    def __init__(self, state: PhysicalState, parent=None):
        super().__init__("Physical-world pattern", parent)
        self.state = state
        form = QFormLayout()
        self.kind = QComboBox()
        for name, cls in PHYSICAL_ATTACKS.items():
            self.kind.addItem(cls.title, name)
            self.kind.setItemData(self.kind.count() - 1, cls.paper, Qt.ItemDataRole.ToolTipRole)
        self.kind.setCurrentIndex(max(self.kind.findData(state.kind), 0))
        self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed(self.kind.currentData()))
        form.addRow("kind", self.kind)
        self.images = self._folder_row(form, "make on", "images", "labelled images the pattern is made on")
        self.held_out = self._folder_row(
            form, "held out", "held_out", "other labelled images the success rate is measured on (never made on)"
        )
        self.target = ClassPicker()
        self.target.setToolTip("the class every view should read as; untargeted: any class but the true one")
        self.target.currentIndexChanged.connect(self._target_changed)
        form.addRow("target", self.target)
        self.mask = QLineEdit(state.mask)
        self.mask.setPlaceholderText("Shape below")
        self.mask.setToolTip(
            "a mask image, white where the sticker goes on black, any size; empty: the Shape parameter, two bars or a block"
        )
        self.mask.textChanged.connect(lambda t: setattr(state, "mask", t.strip()))
        self.mask_button = QPushButton("Image\u2026")
        self.mask_button.clicked.connect(self._choose_mask)
        self.paint_button = QPushButton("Paint\u2026")
        self.paint_button.setToolTip("paint the mask on the first image to make the pattern on")
        self.paint_button.clicked.connect(self.paint_clicked)
        row = QHBoxLayout()
        row.addWidget(self.mask, 1)
        row.addWidget(self.mask_button)
        row.addWidget(self.paint_button)
        form.addRow("mask", row)
        self.views_per_image = QSpinBox()
        self.views_per_image.setRange(1, MAX_VIEWS_PER_IMAGE)
        self.views_per_image.setValue(state.views_per_image)
        self.views_per_image.setToolTip(f"random views of each held-out image, {WIDER:g} times as wide as optimised")
        self.views_per_image.valueChanged.connect(lambda v: setattr(state, "views_per_image", v))
        form.addRow("views per image", self.views_per_image)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        box = QGroupBox("Attack parameters")
        self.params = ParamForm(self._param_changed)
        QVBoxLayout(box).addWidget(self.params)
        layout.addWidget(box)
        self.views_box = QGroupBox("Views optimised over")
        self.views = ParamForm(self._view_changed)
        self.views.set_params(Views.params(), state.views)
        QVBoxLayout(self.views_box).addWidget(self.views)
        layout.addWidget(self.views_box)
        self.footer = RunBar(
            "Run",
            "Make the pattern, then measure it on the held-out images",
            "Stop: the best pattern so far is kept, without a held-out figure",
            self.run_clicked,
            self.cancel_clicked,
        )
        self.footer.setContentsMargins(6, 0, 6, 6)  # under the scrolling column, not against the window's edge
        self.run_button, self.cancel_button, self.progress, self.stage = (
            self.footer.run_button,
            self.footer.cancel_button,
            self.footer.progress,
            self.footer.stage,
        )
        self._show_params()

    def _folder_row(self, form: QFormLayout, label: str, key: str, tip: str) -> QLineEdit:
        edit = QLineEdit(getattr(self.state, key))
        edit.setToolTip(tip + "; labels from file names, labels.csv or class subfolders")
        edit.textChanged.connect(lambda t: setattr(self.state, key, t.strip()))
        browse = QPushButton("Folder\u2026")
        browse.clicked.connect(lambda: self._choose_folder(edit))
        row = QHBoxLayout()
        row.addWidget(edit, 1)
        row.addWidget(browse)
        form.addRow(label, row)
        return edit

    def _choose_folder(self, edit: QLineEdit) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Labelled images", edit.text())
        if folder:
            edit.setText(folder)

    def _choose_mask(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Mask image", self.mask.text(), "Images (*.png *.jpg *.bmp)")
        if path:
            self.mask.setText(path)

    def _kind_changed(self, name: str) -> None:
        self.state.kind = name
        self.state.params = {}
        self._show_params()

    def _param_changed(self, name: str, value) -> None:
        self.state.params = self.state.params | {name: value}

    def _view_changed(self, name: str, value) -> None:
        self.state.views = self.state.views | {name: value}

    def _target_changed(self, _index: int) -> None:
        self.state.target = self.target.target()
        self.state.target_set = True

    def _show_params(self) -> None:
        cls = PHYSICAL_ATTACKS[self.state.kind]
        self.params.set_params(cls.params(), self.state.params)
        self.mask.setEnabled(cls.needs_mask)
        self.mask_button.setEnabled(cls.needs_mask)
        self.paint_button.setEnabled(cls.needs_mask)
        self.target.setEnabled(cls.targeted)
        digital = self.state.kind in DIGITAL_KINDS
        self.views_box.setEnabled(not digital)
        self.views_per_image.setEnabled(not digital)
        self.views_box.setToolTip(
            "a universal perturbation is made and measured on the digital images" if digital else ""
        )

    def show_state(self) -> None:
        """Show the state's choices (replaced as a whole, e.g. by an opened result)."""
        self.kind.blockSignals(True)  # a kind change from the combo would reset the parameters
        self.kind.setCurrentIndex(max(self.kind.findData(self.state.kind), 0))
        self.kind.blockSignals(False)
        self.images.setText(self.state.images)
        self.held_out.setText(self.state.held_out)
        self.mask.setText(self.state.mask)
        self.views_per_image.setValue(self.state.views_per_image)
        self.views.set_params(Views.params(), self.state.views)
        self._show_params()

    def set_classes(self, class_names, target: int | None) -> None:
        """Offer ``class_names`` as targets and select ``target`` (without marking it the user's choice)."""
        self.target.blockSignals(True)
        self.target.set_classes(class_names)
        self.target.set_target(target)
        self.target.blockSignals(False)

    def set_running(self, running: bool, can_run: bool) -> None:
        self.run_button.setEnabled(can_run)
        self.cancel_button.setEnabled(running)

    def show_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.stage.setText(text)
