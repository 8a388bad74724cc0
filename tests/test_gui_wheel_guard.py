"""The wheel scrolls the side column over a spin box or combo box the user has not clicked into."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QComboBox, QScrollArea, QSpinBox, QVBoxLayout, QWidget

from inspector.gui.wheel_guard import install_wheel_guard


def _wheel(widget: QWidget) -> None:
    """One notch of the wheel (away from the user) over the middle of ``widget``."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def _column(qtbot):
    """A short scroll area over a tall column holding a spin box at 10 and a combo box."""
    install_wheel_guard(QApplication.instance())
    column = QWidget()
    layout = QVBoxLayout(column)
    spin, combo = QSpinBox(), QComboBox()
    spin.setRange(1, 100)
    spin.setValue(10)
    combo.addItems(["a", "b", "c"])
    layout.addWidget(spin)
    layout.addWidget(combo)
    layout.addSpacing(2000)
    scroll = QScrollArea()
    scroll.setWidget(column)
    scroll.setWidgetResizable(True)
    scroll.resize(200, 150)
    qtbot.addWidget(scroll)
    scroll.show()
    qtbot.waitExposed(scroll)
    scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())
    return scroll, spin, combo


def test_the_wheel_over_an_unfocused_spin_box_scrolls_the_column_and_keeps_the_value(qtbot):
    scroll, spin, combo = _column(qtbot)
    bar = scroll.verticalScrollBar()
    before = bar.value()
    _wheel(spin)
    _wheel(combo)
    assert (spin.value(), combo.currentIndex()) == (10, 0)
    assert bar.value() < before  # the column scrolled up instead
    assert spin.focusPolicy() == Qt.FocusPolicy.StrongFocus and combo.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_the_wheel_changes_a_spin_box_the_user_clicked_into(qtbot):
    _scroll, spin, _combo = _column(qtbot)
    spin.setFocus()
    qtbot.waitUntil(spin.hasFocus)
    _wheel(spin)
    assert spin.value() == 11
    assert install_wheel_guard(QApplication.instance()) is install_wheel_guard(QApplication.instance())
