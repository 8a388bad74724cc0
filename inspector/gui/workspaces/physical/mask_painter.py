"""Paint a sticker's mask on an image: the first image to make the pattern on, in the model's input
frame, drawn large; the left button paints the mask, the right button erases it. The dialog saves
the mask as a PNG (white: sticker) that the run reads like any mask image
(:func:`~inspector.core.physical.masks.mask_from_image`)."""

from __future__ import annotations

import numpy as np
from PIL import Image
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QPushButton, QSpinBox, QVBoxLayout, QWidget

#: Screen pixels per model pixel.
ZOOM = 10
OVERLAY = QColor(0, 200, 255, 150)


class MaskPainter(QWidget):
    """``image`` (H, W, 3) uint8 shown ``ZOOM`` times; ``mask`` (H, W) bool, painted with a square
    brush of side ``2 * brush - 1`` model pixels."""

    def __init__(self, image: np.ndarray, mask: np.ndarray, parent=None):
        super().__init__(parent)
        self.image = np.ascontiguousarray(image)
        self.mask = mask.astype(bool).copy()
        self.brush = 1
        h, w = mask.shape
        self.setFixedSize(w * ZOOM, h * ZOOM)
        self._erase = False

    def paint_at(self, row: int, col: int, erase: bool = False) -> None:
        """Paint (or erase) the brush's square centred on model pixel (row, col)."""
        r = self.brush - 1
        self.mask[max(0, row - r) : row + r + 1, max(0, col - r) : col + r + 1] = not erase
        self.update()

    def _stroke(self, point: QPoint) -> None:
        row, col = point.y() // ZOOM, point.x() // ZOOM
        if 0 <= row < self.mask.shape[0] and 0 <= col < self.mask.shape[1]:
            self.paint_at(row, col, self._erase)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._erase = event.button() == Qt.MouseButton.RightButton
        self._stroke(event.position().toPoint())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        self._stroke(event.position().toPoint())

    def paintEvent(self, _event) -> None:
        h, w = self.mask.shape
        picture = QImage(self.image.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        painter = QPainter(self)
        painter.drawImage(self.rect(), picture)
        for row, col in zip(*np.nonzero(self.mask), strict=True):
            painter.fillRect(int(col) * ZOOM, int(row) * ZOOM, ZOOM, ZOOM, OVERLAY)
        painter.end()


class PaintDialog(QDialog):
    """The painter with a brush size, Clear, and OK / Cancel; :meth:`save` writes the mask."""

    def __init__(self, image: np.ndarray, mask: np.ndarray, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Paint the sticker's mask (left: paint, right: erase)")
        self.painter = MaskPainter(image, mask)
        brush = QSpinBox()
        brush.setRange(1, 8)
        brush.setPrefix("brush ")
        brush.valueChanged.connect(lambda v: setattr(self.painter, "brush", v))
        clear = QPushButton("Clear")
        clear.clicked.connect(self._clear)
        tools = QHBoxLayout()
        tools.addWidget(brush)
        tools.addWidget(clear)
        tools.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.painter)
        layout.addWidget(buttons)

    def _clear(self) -> None:
        self.painter.mask[:] = False
        self.painter.update()

    def save(self, path: str) -> None:
        """Write the mask as a greyscale PNG, 255 on the sticker. Raises OSError when it cannot."""
        Image.fromarray(self.painter.mask.astype(np.uint8) * 255, "L").save(path, format="PNG")
