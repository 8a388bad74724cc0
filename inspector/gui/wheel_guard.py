"""The mouse wheel changes no value the user did not click into.

Scrolling the side column over a spin box turned "steps" from 10 to 1: Qt gives the wheel
to the value widget under the pointer. Installed once on the application, :class:`WheelGuard`
makes every spin box, combo box and slider take focus only by click or Tab (``StrongFocus``)
and sends the wheel of an unfocused one on to the scroll area around it.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QSlider,
    QWidget,
)

#: The widgets whose value the wheel would change.
VALUE_WIDGETS = (QAbstractSpinBox, QComboBox, QSlider)


class WheelGuard(QObject):
    """An application event filter: see the module."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(watched, VALUE_WIDGETS):
            return False
        if event.type() == QEvent.Type.Polish:
            watched.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        elif event.type() == QEvent.Type.Wheel and not watched.hasFocus():
            area = _scroll_area(watched)
            if area is not None:
                QCoreApplication.sendEvent(area.viewport(), event)
            return True
        return False


def _scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    """The nearest scroll area around ``widget`` (a forwarded wheel event does not travel up by itself)."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parentWidget()
    return parent


def install_wheel_guard(app: QApplication) -> WheelGuard:
    """Install the guard on ``app`` once (later calls return the same one)."""
    guard = app.findChild(WheelGuard)
    if guard is None:
        guard = WheelGuard(app)
        app.installEventFilter(guard)
    return guard
