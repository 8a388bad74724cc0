"""The defence panel: a checkbox per registered defence and detector, its parameters, an ensemble, and 'adaptive attack'.

Edits go into the view state (``EvasionState.defenses``, ``EvasionState.detectors``,
their ``*_values`` and ``EvasionState.adaptive``; lists are replaced, so each change is an event); the forms are built from each class's
ParamSpecs, as the attack form is.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.core.defenses import DEFENSES, DETECTORS
from inspector.core.defenses.ensemble import RULES
from inspector.core.defenses.learned import LearnedDetector
from inspector.core.util.params import Registry, param_specs
from inspector.gui.attack_form import _label
from inspector.gui.param_form import make_editor
from inspector.gui.workspaces.evasion.state import EvasionState, default_values


class DefensePanel(QGroupBox):
    """Checkboxes for the input-transform defences and the detectors, each with its parameter form.

    ``changed`` is emitted when a parameter value changes (the values are edited in place: no state event).
    """

    changed = Signal()
    #: "Train detector…" was clicked (the workspace opens the dialog: it knows the loaded model).
    train_detector_clicked = Signal()

    def __init__(self, state: EvasionState, parent=None):
        super().__init__("Defences (predictions after each)", parent)
        self.state = state
        self._layout = QVBoxLayout(self)
        self.checkboxes: dict[str, QCheckBox] = {}
        self.forms: dict[str, tuple[Registry, str, QWidget]] = {}
        self._add_group(DEFENSES, "defenses", "defense_values")
        self.adaptive = QCheckBox("adaptive attack (BPDA / EOT, ensemble, realism penalty)")
        self.adaptive.setToolTip(
            "Attack the defended model: through the defences (BPDA, EOT), on the whole ensemble, with the "
            "realism check's statistic as a penalty. Without it the attack ignores them, and a "
            "defence that only wins against a non-adaptive attack has shown nothing."
        )
        self.adaptive.toggled.connect(lambda checked: setattr(self.state, "adaptive", checked))
        self._layout.addWidget(self.adaptive)
        self._add_ensemble_row()
        self._layout.addWidget(QLabel("Detectors (threshold calibrated on clean images)"))
        self._add_calibration_row()
        self._add_group(DETECTORS, "detectors", "detector_values")
        for event in (
            state.events.defenses,
            state.events.detectors,
            state.events.adaptive,
            state.events.ensemble,
            state.events.ensemble_rule,
            state.events.defense_values,
            state.events.detector_values,
        ):
            event.connect(self.show_state)

    def _add_ensemble_row(self) -> None:
        """Other models that read each image with the session's model, and how they decide."""
        self.ensemble = QLineEdit(", ".join(self.state.ensemble))
        self.ensemble.setPlaceholderText("e.g. mnist-pgd-at, mnist-distilled")
        self.ensemble.setToolTip(
            "He et al. 2017, arXiv:1706.04701. The models (built-in names or files, comma-separated) read "
            "each image together with the chosen model. The non-adaptive attack is made on the chosen "
            "model alone; the adaptive one on the whole ensemble (a vote through the mean probabilities)."
        )
        self.ensemble.editingFinished.connect(self._take_ensemble)
        self.ensemble_rule = QComboBox()
        self.ensemble_rule.addItems(RULES)
        self.ensemble_rule.setCurrentText(self.state.ensemble_rule)
        self.ensemble_rule.setToolTip("mean: average of the probabilities; vote: majority of the top-1s")
        self.ensemble_rule.currentTextChanged.connect(lambda rule: setattr(self.state, "ensemble_rule", rule))
        row = QHBoxLayout()
        row.addWidget(QLabel("ensemble with"))
        row.addWidget(self.ensemble, 1)
        row.addWidget(self.ensemble_rule)
        self._layout.addLayout(row)

    def _take_ensemble(self) -> None:
        names = [n.strip() for n in self.ensemble.text().split(",") if n.strip()]
        if names != self.state.ensemble:
            self.state.ensemble = names

    def _add_calibration_row(self) -> None:
        """The folder of clean images the thresholds come from, and a button to choose it."""
        self.calibration_label = QLabel()
        self.calibration_label.setWordWrap(True)
        choose = QPushButton("Calibration folder\u2026")
        choose.setToolTip(
            "A folder of clean images like the ones you attack: a false positive rate fpr needs "
            "at least 1/fpr - 1 of them (19 for 0.05). Digit models ship 400 held-out digits."
        )
        choose.clicked.connect(self.choose_calibration)
        row = QHBoxLayout()
        row.addWidget(self.calibration_label, 1)
        row.addWidget(choose)
        self._layout.addLayout(row)
        self.state.events.calibration.connect(self._show_calibration)
        self._show_calibration(self.state.calibration)

    def choose_calibration(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of clean calibration images")
        if folder:
            self.state.calibration = folder

    def _show_calibration(self, folder: str | None) -> None:
        self.calibration_label.setText(f"calibration: {Path(folder).name}" if folder else "calibration: shipped images")

    def _add_group(self, registry: Registry, chosen: str, values_name: str) -> None:
        """A checkbox and a form per entry of ``registry``; ``chosen`` names the state's list of checked names,
        ``values_name`` its values per entry."""
        for name, cls in registry.items():
            box = QCheckBox(cls.title)
            box.setToolTip(cls.paper)
            form_widget = QWidget()
            QFormLayout(form_widget).setContentsMargins(20, 0, 0, 0)
            form_widget.setVisible(False)
            self.forms[name] = (registry, values_name, form_widget)
            self._fill_form(name)

            def on_toggle(checked, name=name, form_widget=form_widget):
                form_widget.setVisible(checked)
                names = [n for n in getattr(self.state, chosen) if n != name] + ([name] if checked else [])
                setattr(self.state, chosen, names)

            box.toggled.connect(on_toggle)
            self.checkboxes[name] = box
            self._layout.addWidget(box)
            self._layout.addWidget(form_widget)
            if registry is DETECTORS and name == LearnedDetector.name:
                self._add_train_button()

    def _add_train_button(self) -> None:
        """ "Train detector…" under the learned detector: a detector of one attack, for the loaded model."""
        self.train_button = QPushButton("Train detector\u2026")
        self.train_button.setToolTip(
            "Train a learned detector (Metzen et al. 2017) on clean images and one attack's adversarials "
            "against the loaded model; it is checked here with its file once saved"
        )
        self.train_button.clicked.connect(self.train_detector_clicked)
        row = QHBoxLayout()
        row.setContentsMargins(20, 0, 0, 0)
        row.addWidget(self.train_button)
        row.addStretch(1)
        self._layout.addLayout(row)

    def use_detector(self, path: str) -> None:
        """Check the learned detector with its file set to ``path`` (a detector just trained)."""
        values = self.state.detector_values.setdefault(LearnedDetector.name, default_values(DETECTORS, "learned"))
        values["file"] = path
        self.state.detectors = [n for n in self.state.detectors if n != LearnedDetector.name] + [LearnedDetector.name]
        self.show_state()
        self.changed.emit()

    def _fill_form(self, name: str) -> None:
        """(Re)build the form of entry ``name`` from the state's values."""
        registry, values_name, form_widget = self.forms[name]
        form = form_widget.layout()
        while form.rowCount():
            form.removeRow(0)
        values = getattr(self.state, values_name).setdefault(name, default_values(registry, name))
        for spec in param_specs(registry[name]):

            def on_change(value, key=spec.name, values=values):
                values[key] = value
                self.changed.emit()

            form.addRow(_label(spec.name), make_editor(spec, values[spec.name], on_change))

    def show_state(self, *_args) -> None:
        """Show the state's choices and values (replaced as a whole, e.g. by an opened recipe)."""
        for name, box in self.checkboxes.items():
            box.setChecked(name in self.state.defenses or name in self.state.detectors)
            self._fill_form(name)
        self.adaptive.setChecked(self.state.adaptive)
        self.ensemble.setText(", ".join(self.state.ensemble))
        self.ensemble_rule.setCurrentText(self.state.ensemble_rule)
