"""A one-line label whose font shrinks until its text fits its width: never clipped, never wrapped."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QSizePolicy

SMALLEST_PT = 7.0


class FitLabel(QLabel):
    """Plain text in at most ``point_size`` points (bold with ``bold``), smaller when the width needs it.

    Below :data:`SMALLEST_PT` it elides the end (the whole text is the tooltip). Its size hint asks
    for no width, so a long text never widens the window.
    """

    def __init__(self, point_size: float, *, bold: bool = False, parent=None):
        super().__init__(parent)
        self._full = ""
        self._largest = point_size
        self._bold = bold
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.set_point_size(point_size)

    def set_point_size(self, point_size: float) -> None:
        """The largest font size, in points; the height follows it."""
        self._largest = point_size
        font = QFont(self.font())
        font.setPointSizeF(point_size)
        font.setBold(self._bold)
        self.setFixedHeight(QFontMetrics(font).height() + 6)
        self._fit()

    def point_size(self) -> float:
        """The largest font size, in points."""
        return self._largest

    def set_text(self, text: str) -> None:
        """Show ``text`` (one line), as large as fits."""
        self._full = text
        self._fit()

    def full_text(self) -> str:
        return self._full

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def sizeHint(self) -> QSize:
        return QSize(0, self.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(0, self.height())

    def _fit(self) -> None:
        width = self.contentsRect().width() - 2
        font = QFont(self.font())
        font.setBold(self._bold)
        size = self._largest
        font.setPointSizeF(size)
        while size > SMALLEST_PT and QFontMetrics(font).horizontalAdvance(self._full) > width:
            size = max(SMALLEST_PT, size - 0.5)
            font.setPointSizeF(size)
        metrics = QFontMetrics(font)
        text = self._full
        if metrics.horizontalAdvance(text) > width:
            text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)
        self.setToolTip(self._full if text != self._full else "")
        self.setFont(font)
        super().setText(text)
