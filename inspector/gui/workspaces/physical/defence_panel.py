"""The defences the held-out figures are also measured under: a checkbox per registered
input-transform defence (:data:`~inspector.core.defenses.DEFENSES`) with its parameters, and
'adaptive' (make the pattern against them).

Edits go into :class:`~inspector.gui.workspaces.physical.state.PhysicalState` (``defenses`` in the
order ticked, ``defense_values``, ``adaptive``; replaced, never changed in place).
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QGroupBox, QVBoxLayout

from inspector.core.defenses import DEFENSES
from inspector.gui.param_form import ParamForm
from inspector.gui.workspaces.physical.state import PhysicalState


class DefencePanel(QGroupBox):
    """A checkbox and a parameter form per defence (the form shown while ticked), and 'adaptive'."""

    def __init__(self, state: PhysicalState, parent=None):
        super().__init__("Defences (measured after each)", parent)
        self.state = state
        layout = QVBoxLayout(self)
        self.checkboxes: dict[str, QCheckBox] = {}
        self.forms: dict[str, ParamForm] = {}
        for name, cls in DEFENSES.items():
            box = QCheckBox(cls.title)
            box.setToolTip(cls.paper)
            form = ParamForm(lambda key, value, name=name: self._value_changed(name, key, value))
            form.setContentsMargins(20, 0, 0, 0)
            form.setVisible(False)
            box.toggled.connect(lambda checked, name=name: self._toggled(name, checked))
            self.checkboxes[name], self.forms[name] = box, form
            layout.addWidget(box)
            layout.addWidget(form)
        self.adaptive = QCheckBox("adaptive: make it against them (BPDA / EOT)")
        self.adaptive.setToolTip(
            "Make the pattern through the ticked defences, in order. Without it the pattern is made on the "
            "bare model; a defence that only holds against that has shown nothing."
        )
        self.adaptive.toggled.connect(lambda checked: setattr(self.state, "adaptive", checked))
        layout.addWidget(self.adaptive)
        self.show_state()

    def _toggled(self, name: str, checked: bool) -> None:
        self.forms[name].setVisible(checked)
        chosen = [n for n in self.state.defenses if n != name]
        self.state.defenses = [*chosen, name] if checked else chosen

    def _value_changed(self, name: str, key: str, value) -> None:
        values = self.state.defense_values
        self.state.defense_values = values | {name: values.get(name, {}) | {key: value}}

    def show_state(self) -> None:
        """Show the state's defences, values and 'adaptive' (replaced as a whole, e.g. by an opened run)."""
        for name, box in self.checkboxes.items():
            box.blockSignals(True)
            box.setChecked(name in self.state.defenses)
            box.blockSignals(False)
            self.forms[name].setVisible(name in self.state.defenses)
            self.forms[name].set_params(DEFENSES[name].params(), self.state.defense_values.get(name, {}))
        self.adaptive.setChecked(self.state.adaptive)
