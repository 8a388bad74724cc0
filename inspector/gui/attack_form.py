"""The attack panel's form, built from the attack's ParamSpecs, and a searchable class picker.

Widget per spec: unit ``"pixel"`` -> slider + spin box in grey levels (value x 255);
choices -> combo box; bool -> check box; int / float -> spin box; other -> line edit.
Edits are written straight into the ``values`` dict the form was given.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QCompleter, QDoubleSpinBox, QFormLayout, QHBoxLayout,
                               QLineEdit, QSlider, QSpinBox, QWidget)

from inspector.core.attacks import ATTACKS
from inspector.core.util.params import ParamSpec

GREY = 255.0
SLIDER_STEPS_PER_GREY = 4        # the slider moves in quarter grey levels
SLIDER_MAX_GREY = 32.0           # beyond that, type into the spin box
INT_LIMIT = 2**31 - 1
#: The largest L2 budget the form offers, in [0, 1] pixel units: above sqrt(3 * 224 * 224) = 388,
#: the L2 distance across a whole 224x224 RGB image.
L2_MAXIMUM = 400.0


def _label(name: str) -> str:
    return name.replace("_", " ")


class PixelEditor(QWidget):
    """A pixel-unit value (in [0, 1] units; negative where the spec allows, e.g. JSMA's theta)
    shown and edited in grey levels, with a slider and a spin box."""

    changed = Signal(float)

    def __init__(self, spec: ParamSpec, value: float, parent=None, *, maximum: float | None = None):
        super().__init__(parent)
        top = (maximum if maximum is not None else spec.maximum if spec.maximum is not None else 1.0) * GREY
        self.spin = QDoubleSpinBox()
        bottom = (spec.minimum or 0.0) * GREY
        self.spin.setRange(bottom, top)
        self.spin.setDecimals(2)
        self.spin.setSingleStep(0.5)
        self.spin.setSuffix(" / 255")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(int(max(bottom, -SLIDER_MAX_GREY) * SLIDER_STEPS_PER_GREY),
                             int(min(top, SLIDER_MAX_GREY) * SLIDER_STEPS_PER_GREY))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)
        self.set_value(value)
        self.slider.valueChanged.connect(lambda v: self.spin.setValue(v / SLIDER_STEPS_PER_GREY))
        self.spin.valueChanged.connect(self._on_spin)

    def set_value(self, value: float) -> None:
        self.spin.setValue(value * GREY)
        self._sync_slider()

    def value(self) -> float:
        return self.spin.value() / GREY

    def _sync_slider(self) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(round(self.spin.value() * SLIDER_STEPS_PER_GREY))
        self.slider.blockSignals(False)

    def _on_spin(self, _grey: float) -> None:
        self._sync_slider()
        self.changed.emit(self.value())


def make_editor(spec: ParamSpec, value: Any, on_change, *, maximum: float | None = None) -> QWidget:
    """The editor widget for one parameter; ``on_change(typed_value)`` is called on every edit.

    ``maximum`` overrides the spec's for pixel values (in [0, 1] units), e.g. by norm.
    """
    if spec.unit == "pixel":
        editor = PixelEditor(spec, float(value), maximum=maximum)
        editor.changed.connect(on_change)
    elif spec.choices:
        editor = QComboBox()
        editor.addItems(list(spec.choices))
        editor.setCurrentText(str(value))
        editor.currentTextChanged.connect(on_change)
    elif spec.type is bool:
        editor = QCheckBox()
        editor.setChecked(bool(value))
        editor.toggled.connect(on_change)
    elif spec.type is int:
        editor = QSpinBox()
        editor.setRange(int(spec.minimum if spec.minimum is not None else -INT_LIMIT),
                        int(min(spec.maximum if spec.maximum is not None else INT_LIMIT, INT_LIMIT)))
        editor.setValue(int(value))
        editor.valueChanged.connect(on_change)
    elif spec.type is float:
        editor = QDoubleSpinBox()
        editor.setDecimals(4)
        editor.setRange(spec.minimum if spec.minimum is not None else -1e9,
                        spec.maximum if spec.maximum is not None else 1e9)
        editor.setValue(float(value))
        editor.valueChanged.connect(on_change)
    else:
        editor = QLineEdit(str(value))
        editor.textChanged.connect(on_change)
    editor.setToolTip(spec.help)
    return editor


class AttackForm(QWidget):
    """The parameters of one attack; rebuilt by :meth:`set_attack`."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.editors: dict[str, QWidget] = {}

    def set_attack(self, name: str, values: dict[str, Any]) -> None:
        """Show the form of attack ``name``; edits update ``values`` in place.

        Pixel values without a fixed maximum (a budget measured in the attack's norm) range
        up to 1 for linf and :data:`L2_MAXIMUM` for l2; changing the norm rebuilds the form,
        and a value above the new range is brought into it.
        """
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self.editors = {}
        norm_maximum = 1.0 if values.get("norm", "linf") == "linf" else L2_MAXIMUM
        for spec in ATTACKS[name].params():
            def on_change(value, key=spec.name):
                values[key] = value
                self.changed.emit()
                if key == "norm":     # after this signal, not inside it: the combo is replaced
                    QTimer.singleShot(0, lambda: self.set_attack(name, values))
            maximum = norm_maximum if spec.unit == "pixel" and spec.maximum is None else None
            editor = make_editor(spec, values.get(spec.name, spec.default), on_change, maximum=maximum)
            if isinstance(editor, PixelEditor) and spec.name in values:
                values[spec.name] = editor.value()
            self.editors[spec.name] = editor
            self._layout.addRow(_label(spec.name), editor)


class ClassPicker(QComboBox):
    """Untargeted, or a target class found by typing any part of its name or index."""

    UNTARGETED = "untargeted"

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.lineEdit().setPlaceholderText("type to search a class")
        self.set_classes(())

    def set_classes(self, class_names) -> None:
        current = self.target()
        self.blockSignals(True)
        self.clear()
        self.addItem(self.UNTARGETED)
        self.addItems([f"{i}: {name}" for i, name in enumerate(class_names)])
        self.blockSignals(False)
        self.set_target(current if current is not None and current < len(class_names) else None)

    def target(self) -> int | None:
        """The chosen class index, or None for untargeted."""
        index = self.currentIndex()
        return None if index <= 0 else index - 1

    def set_target(self, index: int | None) -> None:
        self.setCurrentIndex(0 if index is None else index + 1)
