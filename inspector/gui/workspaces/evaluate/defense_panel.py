"""The defence panel: a checkbox per registered input-transform defence (default parameters) and 'adaptive'.

Edits go into the view state (``EvaluateState.defenses`` as specs, ``EvaluateState.adaptive``);
the list is replaced, so each change is an event.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QGroupBox, QVBoxLayout

from inspector.core.defenses import DEFENSES
from inspector.gui.workspaces.evaluate.state import EvaluateState


class DefensePanel(QGroupBox):
    """Non-adaptive defences (the adversarials are judged through them) and the adaptive attack."""

    def __init__(self, state: EvaluateState, parent=None):
        super().__init__("Defences", parent)
        self.state = state
        layout = QVBoxLayout(self)
        self.checkboxes: dict[str, QCheckBox] = {}
        for name, cls in DEFENSES.items():
            spec = DEFENSES.make(name, {}).spec()
            box = QCheckBox(cls.title)
            box.setToolTip(f"{spec}\n{cls.paper}")
            box.setChecked(spec in state.defenses)
            box.toggled.connect(lambda checked, spec=spec: self._toggle(spec, checked))
            layout.addWidget(box)
            self.checkboxes[name] = box
        self.adaptive = QCheckBox("also attack through them (adaptive: BPDA / EOT)")
        self.adaptive.setToolTip("A defence that only holds against attacks that ignore it has shown nothing.")
        self.adaptive.setChecked(state.adaptive)
        self.adaptive.toggled.connect(lambda checked: setattr(self.state, "adaptive", checked))
        layout.addWidget(self.adaptive)

    def show_state(self) -> None:
        """Show the state's defences and adaptive mode (after they changed under the panel)."""
        chosen = list(self.state.defenses)
        for name, box in self.checkboxes.items():
            box.setChecked(DEFENSES.make(name, {}).spec() in chosen)
        self.state.defenses = chosen  # specs without a box of their own stay chosen
        self.adaptive.setChecked(self.state.adaptive)

    def _toggle(self, spec: str, checked: bool) -> None:
        self.state.defenses = [s for s in self.state.defenses if s != spec] + ([spec] if checked else [])
