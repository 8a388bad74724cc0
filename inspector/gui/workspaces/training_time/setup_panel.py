"""The setup panel: the poisoning attack and its settings, poison rates and epochs; Train / Cancel with
progress; Scan and Detect, with Neural Cleanse's settings. Both settings are
:class:`~inspector.gui.param_form.ParamForm` s from their registry entries.

Edits go into :class:`~inspector.gui.workspaces.training_time.state.TrainingTimeState`, the scan's
settings through ``on_scan_setting(name, value)``; the buttons emit ``train_clicked``,
``cancel_clicked``, ``scan_clicked`` and ``detect_clicked``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from inspector.core.poisoning.attacks import POISONING_ATTACKS
from inspector.core.poisoning.model_scan import MODEL_SCANS
from inspector.core.poisoning.scans import DATA_SCANS
from inspector.gui.param_form import ParamForm
from inspector.gui.workspaces.training_time.state import TrainingTimeState


class SetupPanel(QGroupBox):
    """Signals: ``train_clicked``, ``cancel_clicked``, ``scan_clicked``, ``detect_clicked``."""

    train_clicked = Signal()
    cancel_clicked = Signal()
    scan_clicked = Signal()
    detect_clicked = Signal()

    def __init__(self, state: TrainingTimeState, on_scan_setting: Callable[[str, Any], None], parent=None):
        super().__init__("Poison the training digits", parent)
        self.state = state
        form = QFormLayout()
        self.attack = QComboBox()
        self.attack.addItems(list(POISONING_ATTACKS))
        self.attack.setCurrentText(state.attack)
        self.attack.setToolTip(
            "\n".join(f"{name}: {cls.title} ({cls.paper})" for name, cls in POISONING_ATTACKS.items())
        )
        self.attack.currentTextChanged.connect(self._on_attack)
        form.addRow("Attack", self.attack)
        self.attack_settings = ParamForm(self._on_attack_setting)
        form.addRow(self.attack_settings)
        self.rates = QLineEdit(state.rates)
        self.rates.setToolTip(
            "Poison rates, comma-separated (one training each, a curve for several): "
            "of the 8,000 training digits for badnets, of the target class for clean-label"
        )
        self.rates.textChanged.connect(lambda t: setattr(state, "rates", t))
        form.addRow("Poison rate(s)", self.rates)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 100)
        self.epochs.setValue(state.epochs)
        self.epochs.valueChanged.connect(lambda v: setattr(state, "epochs", v))
        form.addRow("Epochs", self.epochs)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.train_button = QPushButton("Train")
        self.train_button.setToolTip(
            "Train on the poisoned digits; after a Cancel, Train continues from the last finished epoch's checkpoint"
        )
        self.train_button.clicked.connect(self.train_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_clicked)
        self.cancel_button.setEnabled(False)
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        self.stage = QLabel("")
        self.stage.setWordWrap(True)
        layout.addWidget(self.stage)
        scans = QHBoxLayout()
        self.scan_button = QPushButton("Neural Cleanse")
        self.scan_button.setToolTip(
            "Reconstruct the smallest trigger per class of the last trained model "
            "(or, before any, of the model picked above) and flag outliers "
            "(Wang et al. 2019)"
        )
        self.scan_button.clicked.connect(self.scan_clicked)
        self.detect_button = QPushButton("Detectors")
        self.detect_button.setToolTip(
            f"STRIP at 1 % FPR, then {', '.join(cls.title for cls in DATA_SCANS.values())} on the last trained model"
        )
        self.detect_button.clicked.connect(self.detect_clicked)
        scans.addWidget(self.scan_button)
        scans.addWidget(self.detect_button)
        layout.addLayout(scans)
        self.scan_settings = ParamForm(on_scan_setting)
        self.scan_settings.set_params(MODEL_SCANS["neural-cleanse"].params(), {})
        scan_box = QGroupBox("Neural Cleanse settings")
        QVBoxLayout(scan_box).addWidget(self.scan_settings)
        layout.addWidget(scan_box)
        self._on_attack(state.attack)

    def _on_attack(self, name: str) -> None:
        """Show the attack's parameters (but the rate: the rates field sweeps it), with the values set so far."""
        self.state.attack = name
        specs = [spec for spec in POISONING_ATTACKS[name].params() if spec.name != "rate"]
        self.attack_settings.set_params(specs, self.state.attack_params)

    def _on_attack_setting(self, name: str, value: Any) -> None:
        self.state.attack_params = {**self.state.attack_params, name: value}

    def set_running(self, running: bool, can_run: bool, trained: bool) -> None:
        self.train_button.setEnabled(can_run)
        self.scan_button.setEnabled(can_run)
        self.detect_button.setEnabled(can_run and trained)
        self.cancel_button.setEnabled(running)

    def show_progress(self, done: int, total: int, text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.stage.setText(text)
