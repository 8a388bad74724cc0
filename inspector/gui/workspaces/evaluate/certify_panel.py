"""The certification panel: whether the evaluation also certifies each image by randomized smoothing
(Cohen, Rosenfeld and Kolter 2019, arXiv:1902.02918), and its sigma, n0, n and alpha.

A checkable group: its check box is ``EvaluateState.certify``, its editors write ``EvaluateState.smoothing``.
The settings are checked when Run is pressed (n0 above n, for one, is refused there with its reason).
"""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox, QFormLayout, QGroupBox, QSpinBox

from inspector.core.certify.settings import Smoothing
from inspector.core.util.bounds import MAX_COUNT
from inspector.gui.workspaces.evaluate.state import EvaluateState

#: The largest noise level offered (Smoothing's own bound).
MAX_SIGMA = 10.0


class CertifyPanel(QGroupBox):
    """Certified accuracy on or off, and the smoothing settings."""

    def __init__(self, state: EvaluateState, parent=None):
        super().__init__("Certified accuracy (randomized smoothing)", parent)
        self.state = state
        self.setCheckable(True)
        self.setToolTip(
            "Also certify each image with the smoothed classifier (Cohen et al. 2019): the certified-accuracy\n"
            "curve against the L2 radius. n noisy copies per image: n = 1,000 takes seconds per image on a CPU."
        )
        self.toggled.connect(lambda on: setattr(self.state, "certify", on))
        form = QFormLayout(self)
        specs = {spec.name: spec for spec in Smoothing.params()}
        self.sigma = QDoubleSpinBox()
        self.sigma.setRange(0.01, MAX_SIGMA)
        self.sigma.setDecimals(3)
        self.sigma.setSingleStep(0.05)
        self.n0, self.n = QSpinBox(), QSpinBox()
        for box in (self.n0, self.n):
            box.setRange(1, MAX_COUNT)
            box.setSingleStep(100)
        self.alpha = QDoubleSpinBox()
        self.alpha.setRange(0.0001, 0.5)
        self.alpha.setDecimals(4)
        self.alpha.setSingleStep(0.001)
        self.editors = {"sigma": self.sigma, "n0": self.n0, "n": self.n, "alpha": self.alpha}
        for name, editor in self.editors.items():
            editor.setToolTip(specs[name].help)
            editor.valueChanged.connect(lambda value, name=name: self._set(name, value))
            form.addRow(name, editor)
        state.events.smoothing.connect(lambda _: self.show_state())
        self.show_state()

    def _set(self, name: str, value) -> None:
        if self.state.smoothing.get(name) != value:
            self.state.smoothing = self.state.smoothing | {name: value}

    def show_state(self) -> None:
        """Show the state's choice and settings (after they changed under the panel)."""
        self.setChecked(self.state.certify)
        for name, editor in self.editors.items():
            editor.setValue(self.state.smoothing[name])
