"""The attack panel: the attack, its preset and parameter form, the target, the time estimate,
and its action bar (:attr:`AttackPanel.actions`): Run, Cancel and the progress bar with the time
left, which the workspace keeps in view below the scrolling column."""

from __future__ import annotations

import time

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.core.attacks import ATTACKS
from inspector.core.evasion.cost import Estimate, time_left
from inspector.core.util.units import plural
from inspector.gui.attack_form import AttackForm, ClassPicker
from inspector.gui.workspaces.evasion.state import EvasionState

IDLE_TEXT = "no attack run yet"
#: The preset combo's entries: preset name and what it shows.
PRESET_TITLES = {"default": "fast defaults", "paper": "paper settings (the published budgets)"}


def duration(seconds: float) -> str:
    """``"0.4 s"``, ``"12 s"``, ``"3 min 20 s"``, ``"2 h 5 min"``."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60) if seconds >= 3600 else int(seconds // 60)
    if seconds < 3600:
        return f"{minutes} min {seconds - 60 * minutes:.0f} s"
    return f"{minutes // 60} h {minutes % 60} min"


def estimate_text(estimate: Estimate | None, device: str) -> str:
    """One line: at most how long the attack takes here, and from what."""
    if estimate is None:
        return "estimate: once the image is loaded and the parameters are valid"
    counts = [
        plural(n, *what)
        for n, what in ((estimate.gradients, ("gradient",)), (estimate.queries, ("query", "queries")))
        if n
    ]
    return f"estimate on {device}: at most {duration(estimate.seconds)} ({' + '.join(counts) or 'nothing'})"


class AttackPanel(QGroupBox):
    """Writes ``state.attack``, its parameters and ``state.target``; emits ``run_clicked`` and ``cancel_clicked``.

    Run, Cancel and the progress bar are in :attr:`actions`, a widget of their own for the workspace to place.
    """

    run_clicked = Signal()
    cancel_clicked = Signal()

    def __init__(self, state: EvasionState, parent=None):
        super().__init__("Attack", parent)
        self.state = state
        self.attack_combo = QComboBox()
        for name, cls in ATTACKS.items():
            self.attack_combo.addItem(cls.title, name)
        self.preset_combo = QComboBox()
        for name, title in PRESET_TITLES.items():
            self.preset_combo.addItem(title, name)
        self.preset_combo.setToolTip(
            "fast defaults finish in seconds on a CPU (early aborts, adaptive "
            "schedules, practical query budgets); paper settings use the published "
            "budgets. Choosing one resets the parameters."
        )
        self.attack_info = QLabel()
        self.attack_info.setWordWrap(True)
        palette = self.attack_info.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#666"))  # a palette, not a style sheet,
        self.attack_info.setPalette(palette)  # so presentation fonts apply
        self.form = AttackForm()
        self.form.changed.connect(self.show_estimate)
        self.estimate = QLabel()
        self.estimate.setWordWrap(True)
        self.class_picker = ClassPicker()
        self.class_picker.currentIndexChanged.connect(lambda _i: setattr(state, "target", self.class_picker.target()))
        self.run_button = QPushButton("Run attack")
        self.run_button.setToolTip("Ctrl+R; Space in presenter mode")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.run_clicked)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_clicked)
        self.progress = QProgressBar()
        self._started = 0.0
        self._bound: float | None = None
        self.reset_progress()

        layout = QVBoxLayout(self)
        layout.addWidget(self.attack_combo)
        layout.addWidget(self.attack_info)
        preset_form = QFormLayout()
        preset_form.addRow("preset", self.preset_combo)
        layout.addLayout(preset_form)
        layout.addWidget(self.form)
        target_form = QFormLayout()
        target_form.addRow("target", self.class_picker)
        layout.addLayout(target_form)
        layout.addWidget(self.estimate)
        self.actions = QWidget()
        actions = QVBoxLayout(self.actions)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        actions.addLayout(buttons)
        actions.addWidget(self.progress)

        self.attack_combo.setCurrentIndex(self.attack_combo.findData(state.attack))
        self.preset_combo.setCurrentIndex(self.preset_combo.findData(state.preset))
        self.show_form()
        self.attack_combo.currentIndexChanged.connect(self._on_attack_chosen)
        self.preset_combo.currentIndexChanged.connect(lambda _i: state.use_preset(self.preset_combo.currentData()))
        state.events.attack.connect(self.show_form)
        state.events.preset.connect(self.show_form)
        state.events.preview.connect(self.show_estimate)

    def reset_progress(self) -> None:
        self._running = False
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress.setFormat(IDLE_TEXT)

    def start_progress(self) -> None:
        """Busy until the first iteration gives the total; the time left is counted down from the
        estimate shown before Run (see :func:`time_left`), from now."""
        self.progress.setRange(0, 0)
        self.progress.setFormat("iteration %v / %m")
        estimate = self.state.estimate()
        self._bound = None if estimate is None else estimate.seconds
        self._started = time.monotonic()
        self._running = True

    def show_iteration(self, iteration: int, total: int) -> bool:
        """Show ``iteration`` of ``total`` and at most how long the rest takes;
        True when the total changed (a new attack began)."""
        new_total = self.progress.maximum() != total
        if new_total:
            self.progress.setRange(0, total)
        self.progress.setValue(iteration)
        left, bounded = time_left(self._bound, time.monotonic() - self._started, iteration, total)
        pace = f"at most {duration(left)} left" if bounded else f"about {duration(left)} left at this pace"
        self.progress.setFormat(f"iteration %v / %m \u00b7 {pace}" if iteration < total else "iteration %v / %m")
        return new_total

    def finish_progress(self, cancelled: bool = False) -> None:
        """The run's outcome in place of the time left: done (the iterations and the time taken) or cancelled."""
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
            self.progress.setValue(0 if cancelled else 1)
        iterations = plural(self.progress.value(), "iteration") if self.progress.maximum() > 1 else ""
        took = duration(time.monotonic() - self._started)
        if cancelled:
            self.progress.setFormat(f"cancelled after {iterations or took}")
        else:
            self.progress.setFormat(f"done: {iterations} in {took}" if iterations else f"done in {took}")
        self._running = False

    def stop_progress(self) -> None:
        """A run that ended without an outcome (an error): no time left is shown any more."""
        if self._running:
            self.progress.setFormat("stopped at iteration %v / %m" if self.progress.maximum() > 1 else "stopped")
            self._running = False

    def set_running(self, running: bool, can_run: bool) -> None:
        """Cancel is enabled while an attack runs; Run while ``can_run``."""
        self.run_button.setEnabled(can_run)
        self.cancel_button.setEnabled(running)

    def _on_attack_chosen(self, _index: int) -> None:
        self.state.attack = self.attack_combo.currentData()

    def show_form(self, *_args) -> None:
        """Show the state's attack and its parameters."""
        if self.attack_combo.currentData() != self.state.attack:  # set from outside (an opened recipe)
            self.attack_combo.setCurrentIndex(self.attack_combo.findData(self.state.attack))
        cls = ATTACKS[self.state.attack]
        self.attack_info.setText(f"{cls.threat_model}; {cls.paper}")
        self.form.set_attack(self.state.attack, self.state.attack_params())
        self.show_estimate()

    def show_estimate(self, *_args) -> None:
        """The current attack's estimated time on the loaded model and device."""
        preview = self.state.preview
        self.estimate.setText(estimate_text(self.state.estimate(), preview.device_name if preview else ""))
