"""The attack panel: which attacks, the budgets and steps, and Run / Cancel with the progress and time left.

Edits go into the view state (``EvaluateState.attacks``, ``eps``, ``steps``, ``target``); the
buttons emit ``run_clicked`` and ``cancel_clicked``.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from inspector.core.attacks import ATTACKS
from inspector.core.evaluation.targets import TARGETS
from inspector.gui.workspaces.evaluate.eta import format_seconds
from inspector.gui.workspaces.evaluate.state import EvaluateState

MAX_STEPS = 100_000
#: Steps of the progress bar per image, so that it moves within a batch.
PARTS = 100


class AttackPanel(QGroupBox):
    """Signals: ``run_clicked``, ``cancel_clicked``."""

    run_clicked = Signal()
    cancel_clicked = Signal()

    def __init__(self, state: EvaluateState, parent=None):
        super().__init__("Attacks (several: per-image worst case)", parent)
        self.state = state
        layout = QVBoxLayout(self)
        grid = QGridLayout()
        self.checkboxes: dict[str, QCheckBox] = {}
        for i, (name, cls) in enumerate(ATTACKS.items()):
            box = QCheckBox(cls.title.replace("&", "&&"))  # "C&W": no mnemonic
            box.setToolTip(f"{cls.threat_model}{', minimal norm' if cls.minimal else ''}\n{cls.paper}")
            box.setChecked(name in state.attacks)
            box.toggled.connect(lambda checked, name=name: self._toggle(name, checked))
            grid.addWidget(box, i // 2, i % 2)
            self.checkboxes[name] = box
        layout.addLayout(grid)
        form = QFormLayout()
        self.eps = QLineEdit(state.eps)
        self.eps.setToolTip("Budgets in [0, 1] pixel units (Linf), comma-separated: 0, 1/255, 2/255")
        self.eps.textChanged.connect(lambda text: setattr(self.state, "eps", text))
        state.events.eps.connect(lambda text: text != self.eps.text() and self.eps.setText(text))  # model's defaults
        form.addRow("eps", self.eps)
        self.steps = QSpinBox()
        self.steps.setRange(0, MAX_STEPS)
        self.steps.setSpecialValueText("default")
        self.steps.setValue(state.steps or 0)
        self.steps.setToolTip("Iterations of the attacks that have steps (FGSM has none)")
        self.steps.valueChanged.connect(lambda n: setattr(self.state, "steps", n or None))
        form.addRow("steps", self.steps)
        self.target = QComboBox()
        self.target.addItems(["none (untargeted)", *TARGETS])
        self.target.setCurrentIndex(0 if state.target is None else 1 + TARGETS.index(state.target))
        self.target.setToolTip(
            "Targeted: aim each image at a random other class, or at its least likely one;\n"
            "the results add the success per target class"
        )
        self.target.currentIndexChanged.connect(
            lambda i: setattr(self.state, "target", None if i == 0 else TARGETS[i - 1])
        )
        form.addRow("target", self.target)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.run_button = QPushButton("Run")
        self.run_button.clicked.connect(self.run_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop after the attack run in progress; the finished records are kept")
        self.cancel_button.clicked.connect(self.cancel_clicked)
        self.cancel_button.setEnabled(False)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        self.progress = QProgressBar()
        self.progress.setFormat("0 / 0 images")
        self.progress.setValue(0)
        layout.addWidget(self.progress)
        self.stage = QLabel("")
        self.stage.setWordWrap(True)
        layout.addWidget(self.stage)

    def show_state(self) -> None:
        """Show the state's attacks, budgets and steps (after it changed under the panel)."""
        for name, box in self.checkboxes.items():
            box.setChecked(name in self.state.attacks)
        self.eps.setText(self.state.eps)
        self.steps.setValue(self.state.steps or 0)
        self.target.setCurrentIndex(0 if self.state.target is None else 1 + TARGETS.index(self.state.target))

    def _toggle(self, name: str, checked: bool) -> None:
        chosen = [n for n in self.state.attacks if n != name] + ([name] if checked else [])
        self.state.attacks = [n for n in ATTACKS if n in chosen]

    def set_running(self, running: bool, can_run: bool) -> None:
        self.run_button.setEnabled(can_run)
        self.cancel_button.setEnabled(running)

    def show_progress(
        self, done: int, total: int, stage: str, seconds_left: float | None, within_batch: float = 0.0
    ) -> None:
        """``done`` of ``total`` images finished, and ``within_batch`` images' worth of the running batch
        (the bar moves in hundredths of an image, its text counts finished images)."""
        self.progress.setRange(0, max(total, 1) * PARTS)
        self.progress.setValue(round((done + within_batch) * PARTS))
        self.progress.setFormat(f"{done} / {total} images")
        left = "" if seconds_left is None else f"about {format_seconds(seconds_left)} left \u00b7 "
        self.stage.setText(left + stage)
