"""The row under the Evasion view's panes: the toggle "where the model looks: original vs adversarial",
the explanation method, and that method's sanity check on the model.

The methods are listed, and the list shown, once the toggle is first turned on: nothing of
:mod:`inspector.core.explain` is imported at start-up.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QWidget

from inspector.gui.fit_label import FitLabel

TOGGLE_TEXT = "where the model looks: original vs adversarial"
#: The method chosen at first: one pass per image, and it passes the sanity check on the shipped models.
DEFAULT_METHOD = "grad-cam"
SANITY_PT = 9.0
SANITY_COLOURS = {False: "#555555", True: "#c62828"}  # passes, flagged


class ExplainBar(QWidget):
    """``changed()`` when the toggle or the method changes; :meth:`show_sanity` shows the check's line."""

    changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.toggle = QCheckBox(TOGGLE_TEXT)
        self.toggle.setToolTip(
            "Overlay attribution maps (red: the pixels the score owes most to): the original towards its "
            "class, the adversarial towards the class it is read as"
        )
        self.method = QComboBox()
        self.method.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.method.hide()
        self.sanity = FitLabel(SANITY_PT)
        self.toggle.toggled.connect(self._on_toggled)
        self.method.currentIndexChanged.connect(lambda _i: self.changed.emit())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 8, 0)
        layout.addWidget(self.toggle)
        layout.addWidget(self.method)
        layout.addWidget(self.sanity, 1)

    def _on_toggled(self, on: bool) -> None:
        if on and not self.method.count():
            self._list_methods()
        self.method.setVisible(on)
        self.changed.emit()

    def _list_methods(self) -> None:
        from inspector.core.explain import EXPLANATION_METHODS

        self.method.blockSignals(True)
        for name, cls in EXPLANATION_METHODS.items():
            self.method.addItem(cls.title, name)
            self.method.setItemData(self.method.count() - 1, cls.paper, Qt.ItemDataRole.ToolTipRole)
        self.method.setCurrentIndex(self.method.findData(DEFAULT_METHOD))
        self.method.blockSignals(False)

    def on(self) -> bool:
        return self.toggle.isChecked()

    def method_name(self) -> str:
        """The chosen method's registered name (:data:`DEFAULT_METHOD` until the list is shown)."""
        return self.method.currentData() or DEFAULT_METHOD

    def show_sanity(self, text: str, flagged: bool = False) -> None:
        """Show the sanity check's line (red where the method is flagged); empty text clears it."""
        palette = self.sanity.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(SANITY_COLOURS[flagged]))
        self.sanity.setPalette(palette)
        self.sanity.set_text(text)
