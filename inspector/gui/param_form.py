"""A form built from ParamSpecs: one editor per parameter, labelled with its title.

Widget per spec: unit ``"pixel"`` -> slider + spin box in grey levels (value x 255);
choices -> combo box (in words, :mod:`inspector.gui.param_labels`); bool -> check box; int / float -> spin
box; other -> line edit. An optional number (default None) has one more value below its range, which
reads :data:`AUTO` and means None; a number whose 0 means "chosen for you" shows its ``zero`` text there.
:class:`ParamForm` lays them out for any :class:`~inspector.core.util.params.Configurable`;
:func:`error_text` words a :class:`~inspector.core.util.errors.ParameterError` with the
label its parameter has in the form ("Epochs: 0 is below the minimum 1").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QSlider,
    QSpinBox,
    QWidget,
)

from inspector.core.util.errors import ParameterError
from inspector.core.util.params import ParamSpec
from inspector.gui.param_labels import choice_label, param_label

GREY = 255.0
SLIDER_STEPS_PER_GREY = 4  # the slider moves in quarter grey levels
SLIDER_MAX_GREY = 32.0  # beyond that, type into the spin box
INT_LIMIT = 2**31 - 1
FLOAT_DECIMALS = 4
#: What the spin box of an optional number (default None) shows for None: its help says what that means.
AUTO = "auto"


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
        self.slider.setRange(
            int(max(bottom, -SLIDER_MAX_GREY) * SLIDER_STEPS_PER_GREY),
            int(min(top, SLIDER_MAX_GREY) * SLIDER_STEPS_PER_GREY),
        )
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
        for choice in spec.choices:
            editor.addItem(choice_label(choice), choice)  # shown in words, handed on as the value
        editor.setCurrentIndex(max(editor.findData(str(value)), 0))
        editor.currentIndexChanged.connect(lambda _i: on_change(editor.currentData()))
    elif spec.type is bool:
        editor = QCheckBox()
        editor.setChecked(bool(value))
        editor.toggled.connect(on_change)
    elif spec.type in (int, float):
        editor = _number_editor(spec, value, on_change)
    else:
        editor = QLineEdit(str(value))
        editor.textChanged.connect(on_change)
    editor.setToolTip(spec.help)
    return editor


def _number_editor(spec: ParamSpec, value: Any, on_change) -> QSpinBox | QDoubleSpinBox:
    """A spin box over the spec's range (an exclusive bound ``above`` moves the lowest value one step up);
    for an optional spec, one step lower still is None, shown as :data:`AUTO`."""
    whole = spec.type is int
    editor = QSpinBox() if whole else QDoubleSpinBox()
    step = 1 if whole else 10**-FLOAT_DECIMALS
    limit = INT_LIMIT if whole else 1e9
    if not whole:
        editor.setDecimals(FLOAT_DECIMALS)
    low = spec.minimum if spec.minimum is not None else -limit
    if spec.above is not None:
        low = max(low, spec.above + step)
    high = (min(spec.maximum, limit) if whole else spec.maximum) if spec.maximum is not None else limit
    optional = spec.default is None
    if optional:
        low -= step
        editor.setSpecialValueText(AUTO)
    elif spec.zero and low == 0:
        editor.setSpecialValueText(spec.zero)  # shown at the minimum, 0: "auto", not 0.0000
    cast = int if whole else float
    editor.setRange(cast(low), cast(high))
    editor.setValue(editor.minimum() if value is None else cast(value))
    editor.valueChanged.connect(lambda v: on_change(None if optional and v == editor.minimum() else v))
    return editor


def title(name: str) -> str:
    """The form label of parameter ``name``, capitalised: ``init_cost`` -> ``"First L1 weight \u03bb"``,
    ``patience`` -> ``"Patience"`` (see :func:`~inspector.gui.param_labels.param_label`)."""
    label = param_label(name)
    return label[:1].upper() + label[1:]


def error_text(error: ParameterError) -> str:
    """The error in the form's words: ``"<Label>: <detail>"`` when it names its parameter."""
    return f"{title(error.param)}: {error.detail}" if error.param else str(error)


class ParamForm(QWidget):
    """The parameters of one component (a list of ParamSpecs); rebuilt by :meth:`set_params`.
    Each edit calls ``on_change(name, typed_value)``."""

    def __init__(self, on_change: Callable[[str, Any], None], parent=None):
        super().__init__(parent)
        self._on_change = on_change
        self._layout = QFormLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.editors: dict[str, QWidget] = {}

    def set_params(self, specs: list[ParamSpec], values: dict[str, Any]) -> None:
        """Show one row per spec, with ``values[name]`` where given, else the spec's default."""
        while self._layout.rowCount():
            self._layout.removeRow(0)
        self.editors = {}
        for spec in specs:
            editor = make_editor(
                spec, values.get(spec.name, spec.default), lambda value, key=spec.name: self._on_change(key, value)
            )
            self.editors[spec.name] = editor
            self._layout.addRow(title(spec.name), editor)
