"""The attack panel's form, built from the attack's ParamSpecs (editors from
:mod:`inspector.gui.param_form`), and a searchable class picker.

Edits are written straight into the ``values`` dict the form was given.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QFormLayout, QWidget

from inspector.core.attacks import ATTACKS
from inspector.gui.param_form import PixelEditor, make_editor
from inspector.gui.param_labels import param_label

#: The largest L2 budget the form offers, in [0, 1] pixel units: above sqrt(3 * 224 * 224) = 388,
#: the L2 distance across a whole 224x224 RGB image.
L2_MAXIMUM = 400.0


def _label(name: str) -> str:
    return param_label(name)


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
                if key == "norm":  # after this signal, not inside it: the combo is replaced
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
