"""The defence panel: a checkbox per registered defence, its parameters, and 'adaptive attack'.

Edits go straight into the view state (``ViewState.defenses`` and ``ViewState.adaptive``);
the forms are built from each defence's ParamSpecs, as the attack form is.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QVBoxLayout, QWidget

from inspector.core.defenses import DEFENSES
from inspector.gui.attack_form import _label, make_editor
from inspector.gui.state import ViewState, default_defense_params


class DefensePanel(QGroupBox):
    """Checkboxes for the input-transform defences, each with its parameter form."""

    def __init__(self, state: ViewState, parent=None):
        super().__init__("Defences (predictions before and after each)", parent)
        self.state = state
        layout = QVBoxLayout(self)
        self.checkboxes: dict[str, QCheckBox] = {}
        for name, cls in DEFENSES.items():
            box = QCheckBox(cls.title)
            box.setToolTip(cls.paper)
            form_widget = QWidget()
            form = QFormLayout(form_widget)
            form.setContentsMargins(20, 0, 0, 0)
            values = state.defense_values.setdefault(name, default_defense_params(name))
            for spec in cls.params():
                def on_change(value, key=spec.name, values=values):
                    values[key] = value
                form.addRow(_label(spec.name), make_editor(spec, values[spec.name], on_change))
            form_widget.setVisible(False)

            def on_toggle(checked, name=name, form_widget=form_widget):
                form_widget.setVisible(checked)
                if checked:
                    self.state.defenses.append(name)
                else:
                    self.state.defenses.remove(name)
            box.toggled.connect(on_toggle)
            self.checkboxes[name] = box
            layout.addWidget(box)
            layout.addWidget(form_widget)
        self.adaptive = QCheckBox("adaptive attack (attack the defended model: BPDA / EOT)")
        self.adaptive.setToolTip("Without it the attack ignores the defences; a defence that only wins "
                                 "against a non-adaptive attack has shown nothing.")
        self.adaptive.toggled.connect(lambda checked: setattr(self.state, "adaptive", checked))
        layout.addWidget(self.adaptive)
