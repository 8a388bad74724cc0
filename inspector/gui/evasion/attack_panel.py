"""The attack panel: the attack, its parameter form, the target, Run, Cancel and the progress bar."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

from inspector.core.attacks import ATTACKS
from inspector.gui.attack_form import AttackForm, ClassPicker
from inspector.gui.evasion.state import EvasionState

IDLE_TEXT = "no attack run yet"


class AttackPanel(QGroupBox):
    """Writes ``state.attack``, its parameters and ``state.target``; emits ``run_clicked`` and ``cancel_clicked``."""

    run_clicked = Signal()
    cancel_clicked = Signal()

    def __init__(self, state: EvasionState, parent=None):
        super().__init__("Attack", parent)
        self.state = state
        self.attack_combo = QComboBox()
        for name, cls in ATTACKS.items():
            self.attack_combo.addItem(cls.title, name)
        self.attack_info = QLabel()
        self.attack_info.setWordWrap(True)
        palette = self.attack_info.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#666"))   # a palette, not a style sheet,
        self.attack_info.setPalette(palette)                              # so presentation fonts apply
        self.form = AttackForm()
        self.class_picker = ClassPicker()
        self.class_picker.currentIndexChanged.connect(lambda _i: setattr(state, "target", self.class_picker.target()))
        self.run_button = QPushButton("Run attack")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_clicked)
        self.progress = QProgressBar()
        self.reset_progress()

        layout = QVBoxLayout(self)
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

        self.attack_combo.setCurrentIndex(self.attack_combo.findData(state.attack))
        self._show_form()
        self.attack_combo.currentIndexChanged.connect(self._on_attack_chosen)
        state.events.attack.connect(self._show_form)

    def reset_progress(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat(IDLE_TEXT)

    def start_progress(self) -> None:
        """Busy until the first iteration gives the total."""
        self.progress.setRange(0, 0)
        self.progress.setFormat("iteration %v / %m")

    def show_iteration(self, iteration: int, total: int) -> bool:
        """Show ``iteration`` of ``total``; True when the total changed (a new attack began)."""
        new_total = self.progress.maximum() != total
        if new_total:
            self.progress.setRange(0, total)
        self.progress.setValue(iteration)
        return new_total

    def finish_progress(self) -> None:
        """Leave the busy state when no iteration was reported."""
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
            self.progress.setFormat("done")

    def set_running(self, running: bool, can_run: bool) -> None:
        """Cancel is enabled while an attack runs; Run while ``can_run``."""
        self.run_button.setEnabled(can_run)
        self.cancel_button.setEnabled(running)

    def _on_attack_chosen(self, _index: int) -> None:
        self.state.attack = self.attack_combo.currentData()

    def _show_form(self, *_args) -> None:
        cls = ATTACKS[self.state.attack]
        self.attack_info.setText(f"{cls.threat_model}; {cls.paper}")
        self.form.set_attack(self.state.attack, self.state.attack_params())
