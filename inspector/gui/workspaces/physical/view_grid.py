"""The 16 random views of a finished run, 4 x 4, each captioned with what the model reads (green: a
success, red: not), beside the pattern itself."""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

COLUMNS = 4
#: A view's side on screen, pixels (the model's frame is scaled up, pixels kept square).
CELL = 84
HIT, MISS = "#2e7d32", "#c62828"


def pixmap(image: torch.Tensor, side: int) -> QPixmap:
    """(C, H, W) in [0, 1] (C = 1 or 3) as a ``side``-pixel pixmap, sharp pixels."""
    array = (image.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    if array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    array = np.ascontiguousarray(array)
    h, w = array.shape[:2]
    qimage = QImage(array.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(qimage).scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


class ViewGrid(QWidget):
    """``set_views(views, names, success)``: (N, C, H, W) images with their captions; ``clear()``.
    ``captions``: the caption labels shown, in order."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._grid = QGridLayout(self)
        self._grid.setSpacing(4)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self.captions: list[QLabel] = []

    def clear(self) -> None:
        while self._grid.count():
            item = self._grid.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.captions = []

    def set_views(self, views: torch.Tensor, names: list[str], success: list[bool]) -> None:
        self.clear()
        for k, (view, name, hit) in enumerate(zip(views, names, success, strict=True)):
            cell = QWidget()
            column = QVBoxLayout(cell)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(1)
            image = QLabel()
            image.setPixmap(pixmap(view, CELL))
            image.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption = QLabel(name)
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption.setFixedWidth(CELL + 40)
            caption.setToolTip(f"view {k + 1}: read as {name} ({'success' if hit else 'not fooled'})")
            caption.setStyleSheet(f"color: {HIT if hit else MISS}")
            metrics = caption.fontMetrics()
            caption.setText(metrics.elidedText(name, Qt.TextElideMode.ElideRight, CELL + 40))
            column.addWidget(image)
            column.addWidget(caption)
            self._grid.addWidget(cell, k // COLUMNS, k % COLUMNS)
            self.captions.append(caption)
