"""A row of small digit images with captions: clean digits above their poisoned copies, or triggers."""

from __future__ import annotations

import numpy as np
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

CELL = 72


def pixmap(image: torch.Tensor, size: int = CELL) -> QPixmap:
    """(C, H, W) in [0, 1] -> a QPixmap scaled to ``size`` without smoothing (pixels stay visible)."""
    a = image.detach().float().clamp(0, 1).mul(255).round().to(torch.uint8)
    a = (a.repeat(3, 1, 1) if a.shape[0] == 1 else a).permute(1, 2, 0).contiguous().numpy()
    h, w, _ = a.shape
    q = QImage(np.ascontiguousarray(a).data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(q).scaled(
        size, size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


class DigitGrid(QWidget):
    """Rows of images, each with a caption under it; :meth:`set_rows` replaces them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(4, 4, 4, 4)
        self.captions: list[str] = []

    def set_rows(self, rows: list[tuple[str, list[tuple[torch.Tensor, str]]]], size: int = CELL) -> None:
        """``rows``: (row title, [(image (C, H, W), caption), ...]) each."""
        while self.grid.count():
            self.grid.takeAt(0).widget().deleteLater()
        self.captions = []
        for r, (title, cells) in enumerate(rows):
            heading = QLabel(title)
            heading.setWordWrap(True)
            heading.setFixedWidth(90)
            self.grid.addWidget(heading, 2 * r, 0, 2, 1)
            for c, (image, caption) in enumerate(cells):
                picture = QLabel()
                picture.setPixmap(pixmap(image, size))
                self.grid.addWidget(picture, 2 * r, c + 1, Qt.AlignmentFlag.AlignCenter)
                text = QLabel(caption)
                text.setAlignment(Qt.AlignmentFlag.AlignCenter)
                self.grid.addWidget(text, 2 * r + 1, c + 1)
                self.captions.append(caption)
