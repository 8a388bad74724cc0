"""Three image panes side by side (original, perturbation, adversarial), zoomed and panned together.

The panes are of equal width, and the images are fitted to them again on every
resize, so a pane that was small (a narrow window) shows the whole image large once
there is room again.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from inspector.core.io.visualize import diverging_colors

pg.setConfigOptions(imageAxisOrder="row-major", antialias=True)

TITLES = ("original", "perturbation (amplified)", "adversarial")
CAPTION_PT = 11


def colour_bar(width: int = 160, height: int = 12) -> QPixmap:
    """A horizontal blue-white-red bar matching :func:`diverging_colors`."""
    row = diverging_colors(np.linspace(-1.0, 1.0, width))
    data = np.ascontiguousarray(np.repeat(row[None], height, axis=0))
    image = QImage(data.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    return QPixmap.fromImage(image.copy())


class ImagePanes(QWidget):
    """Shows (H, W, 3) uint8 arrays; shows (in :attr:`readout`) and emits ``hovered(text)`` the pixel
    values under the mouse; a double-click fits the whole image again after zooming."""

    hovered = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.view = pg.GraphicsLayoutWidget()
        self.view.setBackground("w")
        self.view.ci.setSpacing(6)
        self.items: list[pg.ImageItem] = []
        self.boxes: list[pg.ViewBox] = []
        self.captions: list[pg.LabelItem] = []
        for col, title in enumerate(TITLES):
            caption = self.view.addLabel(title, row=0, col=col, color="#333", size=f"{CAPTION_PT}pt")
            box = self.view.addViewBox(row=1, col=col, lockAspect=True, invertY=True, enableMenu=False)
            item = pg.ImageItem()
            box.addItem(item)
            if self.boxes:
                box.setXLink(self.boxes[0])
                box.setYLink(self.boxes[0])
            self.captions.append(caption)
            self.boxes.append(box)
            self.items.append(item)
        self.arrays: list[np.ndarray | None] = [None, None, None]
        self._caption_pt = CAPTION_PT
        self.view.scene().sigMouseMoved.connect(self._on_mouse)
        self.view.scene().sigMouseClicked.connect(
            lambda event: event.double() and self.boxes[0].autoRange(padding=0.02)
        )
        self.view.setToolTip("wheel: zoom; drag: pan; double-click: fit the whole image")
        self.readout = QLabel()  # the pixel under the mouse, here rather than over the status bar's messages

        self.scale_label = QLabel("perturbation: none yet")
        bar = QLabel()
        bar.setPixmap(colour_bar())
        bar.setToolTip("blue: the attack made the pixel darker; red: brighter (sum over R, G, B)")
        legend = QHBoxLayout()
        legend.addStretch(1)
        legend.addWidget(QLabel("darker"))
        legend.addWidget(bar)
        legend.addWidget(QLabel("brighter"))
        legend.addSpacing(12)
        legend.addWidget(self.scale_label)
        legend.addSpacing(12)
        legend.addWidget(self.readout)
        legend.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(legend)

    def set_image(
        self, pane: int, pixels: np.ndarray | None, caption: str | None = None, title: str | None = None
    ) -> None:
        """Show ``pixels`` (H, W, 3) uint8 in pane 0, 1 or 2 (None clears it); ``title`` replaces the pane's."""
        self.arrays[pane] = pixels
        if pixels is None:
            self.items[pane].clear()
        else:
            self.items[pane].setImage(pixels, autoLevels=False, levels=(0, 255))
        title = TITLES[pane] if title is None else title
        text = title if caption is None else f"{title}: {caption}"
        if self.captions[pane].text != text:  # a new text relayouts the scene: only when needed
            self.captions[pane].setText(text, size=f"{self._caption_pt}pt")
        if pane == 0 and pixels is not None:
            self.fit()

    def fit(self) -> None:
        """Show the whole image in every pane (they are linked), as large as the panes allow."""
        if self.arrays[0] is not None:
            self.boxes[0].autoRange(padding=0.02)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._equal_columns()
        QTimer.singleShot(0, self.fit)  # once the panes have their new size

    def _equal_columns(self) -> None:
        """Give the three panes the same width: a caption longer than another must not widen its pane,
        since the panes are linked with a locked aspect ratio (unequal panes zoom each other out)."""
        left, _top, right, _bottom = self.view.ci.layout.getContentsMargins()
        spare = self.view.width() - left - right - 2 * self.view.ci.layout.horizontalSpacing() - 4
        for col in range(len(TITLES)):
            self.view.ci.layout.setColumnFixedWidth(col, max(spare / len(TITLES), 1.0))

    def set_text_scale(self, scale: float) -> None:
        """Scale the captions (presentation mode)."""
        self._caption_pt = round(CAPTION_PT * scale)
        for caption in self.captions:
            caption.setText(caption.text, size=f"{self._caption_pt}pt")

    def set_scale(self, scale: float | None) -> None:
        """Say which perturbation (grey levels, summed over channels) shows at full colour."""
        if scale is None:
            self.scale_label.setText("perturbation: none yet")
        elif scale == 0:
            self.scale_label.setText("no pixel changed")
        else:
            self.scale_label.setText(f"full colour = \u00b1{scale:.0f} grey levels (sum over R, G, B)")

    def clear_attack(self) -> None:
        self.set_image(1, None, "run an attack")
        self.set_image(2, None, "run an attack")
        self.set_scale(None)

    def _on_mouse(self, pos) -> None:
        for box, item in zip(self.boxes, self.items, strict=True):
            if box.sceneBoundingRect().contains(pos) and self.arrays[0] is not None:
                p = item.mapFromScene(pos)
                col, row = int(np.floor(p.x())), int(np.floor(p.y()))
                h, w = self.arrays[0].shape[:2]
                if 0 <= row < h and 0 <= col < w:
                    text = self.pixel_text(row, col)
                    self.readout.setText(text)
                    self.hovered.emit(text)
                return

    def pixel_text(self, row: int, col: int) -> str:
        """Pixel values at (row, col) in the original and adversarial, and their difference:
        ``"x 12, y 40 · RGB 174, 90, 12 → 175, 88, 12 (+1, -2, 0)"``."""
        original = [int(v) for v in self.arrays[0][row, col]]
        text = f"x {col}, y {row} \u00b7 RGB {', '.join(map(str, original))}"
        if self.arrays[2] is not None:
            adversarial = [int(v) for v in self.arrays[2][row, col]]
            change = ", ".join(f"{a - o:+d}" if a != o else "0" for a, o in zip(adversarial, original, strict=True))
            text += f" \u2192 {', '.join(map(str, adversarial))} ({change})"
        return text
