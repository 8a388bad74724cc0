"""The setup panel: the data, the method and its parameters (a generic
:class:`~inspector.gui.param_form.ParamForm`), the output folder; Harden / Cancel with progress;
and Use, which makes the hardened model the current one.

Edits go into :class:`~inspector.gui.workspaces.harden.state.HardenState`; the buttons emit
``harden_clicked``, ``cancel_clicked`` and ``use_clicked``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from inspector.core.training.methods import HARDENING_METHODS
from inspector.gui.param_form import ParamForm
from inspector.gui.run_bar import RunBar
from inspector.gui.workspaces.harden.state import HardenState


class SetupPanel(QGroupBox):
    """Signals: ``harden_clicked``, ``cancel_clicked``, ``use_clicked``."""

    harden_clicked = Signal()
    cancel_clicked = Signal()
    use_clicked = Signal()

    def __init__(self, state: HardenState, parent=None):
        super().__init__("Harden the current model", parent)
        self.state = state
        form = QFormLayout()
        self.model = QLabel("")
        self.model.setWordWrap(True)
        self.model.setToolTip("the current model: pick another in the model picker above")
        form.addRow("model", self.model)
        self.data = QLineEdit(state.data)
        self.data.setToolTip(
            "mnist-train (the shipped training digits) or a folder of labelled images: labels.csv, class "
            "subfolders or GTSRB's layout; the last tenth of each class is held out for validation"
        )
        self.data.textChanged.connect(lambda t: setattr(state, "data", t.strip()))
        browse = QPushButton("Folder\u2026")
        browse.clicked.connect(self._choose_data)
        row = QHBoxLayout()
        row.addWidget(self.data, 1)
        row.addWidget(browse)
        form.addRow("data", row)
        self.method = QComboBox()
        for name, cls in HARDENING_METHODS.items():
            self.method.addItem(name, name)
            self.method.setItemData(self.method.count() - 1, f"{cls.title} ({cls.paper})", Qt.ItemDataRole.ToolTipRole)
        self.method.setCurrentText(state.method)
        self.method.currentTextChanged.connect(self._method_changed)
        form.addRow("method", self.method)
        self.folder = QLineEdit(state.folder)
        self.folder.setToolTip("where the hardened weights, sidecar, card and checkpoint go")
        self.folder.textChanged.connect(lambda t: setattr(state, "folder", t.strip()))
        form.addRow("output folder", self.folder)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        box = QGroupBox("Method parameters (eps untouched: 0.3 for grey digits, 8/255 for RGB)")
        self.params = ParamForm(self._param_changed)
        QVBoxLayout(box).addWidget(self.params)
        layout.addWidget(box)
        bar = RunBar(
            "Harden",
            "Train; after a Cancel, Harden continues from the last finished epoch",
            "Stop after the current batch: the finished epochs are kept in the checkpoint",
            self.harden_clicked,
            self.cancel_clicked,
        )
        layout.addWidget(bar)
        self.harden_button, self.cancel_button, self.progress, self.stage = (
            bar.run_button,
            bar.cancel_button,
            bar.progress,
            bar.stage,
        )
        self.use_button = QPushButton("Use the hardened model")
        self.use_button.setToolTip("Make it the current model: the model picker offers it, Evasion attacks it")
        self.use_button.setEnabled(False)
        self.use_button.clicked.connect(self.use_clicked)
        layout.addWidget(self.use_button)
        self._show_params()

    def _choose_data(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Labelled images", self.data.text())
        if folder:
            self.data.setText(folder)

    def _method_changed(self, name: str) -> None:
        self.state.method = name
        self.state.params = {}
        self._show_params()

    def _param_changed(self, name: str, value) -> None:
        self.state.params = self.state.params | {name: value}

    def _show_params(self) -> None:
        self.params.set_params(HARDENING_METHODS[self.state.method].params(), self.state.params)

    def set_running(self, running: bool, can_run: bool, hardened: bool) -> None:
        self.harden_button.setEnabled(can_run)
        self.cancel_button.setEnabled(running)
        self.use_button.setEnabled(can_run and hardened)

    def show_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.stage.setText(text)
