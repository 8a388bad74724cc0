"""The corruption panel: the current image under a common corruption (Hendrycks and Dietterich
2019, arXiv:1903.12261), a type and a severity 1-5, and what the model reads it as.

Like the defences it shows the model's top-1 under the change beside the clean one; unlike them it
needs no attack run: each choice corrupts the 8-bit original the model sees and classifies it in a
worker of its own (:func:`corruption_job`), the last choice winning. While an attack runs the
preview waits and is made when the run ends. The attack itself is untouched (it attacks the clean
image).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QSlider, QVBoxLayout

from inspector.core.corruptions.names import NAMES
from inspector.gui.jobs import Job
from inspector.gui.workspaces.evasion.state import Preview
from inspector.gui.workspaces.evasion.verdict import percent

NONE = "none"
#: Side of the preview picture, pixels (a small image is enlarged without smoothing).
PREVIEW_SIDE = 112
#: Wait this long after the last change before corrupting (a dragged slider asks once).
SETTLE_MS = 120


@dataclass
class Corrupted:
    """The corrupted original, (H, W, 3) uint8, and the model's top-1 name and probability on it."""

    pixels: np.ndarray
    top: str
    probability: float


def corruption_job(job: Job, preview: Preview, name: str, severity: int, seed: int = 0) -> Corrupted:
    """``preview``'s pixels corrupted by ``name`` at ``severity`` and classified by its model (loaded from
    the model cache).

    Raises:
        ParameterError, ImageError, ModelError.
    """
    import torch

    from inspector.core.corruptions.registry import corrupt
    from inspector.core.evasion.classify import predict
    from inspector.core.models.loading import load_model

    grey = preview.shape[0] == 1
    image = preview.pixels[:, :, 0] if grey else preview.pixels
    out = corrupt(image, name, severity, seed)
    x = torch.from_numpy(out.copy()).float().div(255)
    x = x[None, None] if grey else x.permute(2, 0, 1)[None]
    clf = load_model(preview.model, preview.device, weights=preview.weights, trust_code=preview.trust_code)
    top = predict(clf, x).top_k[0]
    pixels = np.repeat(out[:, :, None], 3, axis=2) if grey else out
    return Corrupted(np.ascontiguousarray(pixels), top["name"], top["probability"])


def pixmap(pixels: np.ndarray, side: int = PREVIEW_SIDE) -> QPixmap:
    """(H, W, 3) uint8 as a pixmap of at most ``side`` pixels (nearest-neighbour, so pixels stay pixels)."""
    h, w = pixels.shape[:2]
    image = QImage(pixels.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()
    return QPixmap.fromImage(image).scaled(
        side, side, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
    )


class CorruptionPanel(QGroupBox):
    """A corruption type (``kind``, "none" first), a ``severity`` slider 1-5, the corrupted picture
    (``picture``) and the model's reading (``reading``). :meth:`set_preview` takes each new original;
    :meth:`set_busy` holds the preview while an attack runs."""

    def __init__(self, parent=None):
        super().__init__("Common corruption (preview)", parent)
        self.preview: Preview | None = None
        self.busy = False
        self.job: Job | None = None
        self.result: Corrupted | None = None
        self.kind = QComboBox()
        self.kind.addItems([NONE, *NAMES])
        self.kind.setToolTip("Hendrycks and Dietterich 2019: noise, blur, weather and digital corruptions")
        self.severity = QSlider(Qt.Orientation.Horizontal)
        self.severity.setRange(1, 5)
        self.severity.setValue(3)
        self.severity.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.severity_label = QLabel()
        self.picture = QLabel()
        self.picture.setFixedSize(PREVIEW_SIDE, PREVIEW_SIDE)
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.reading = QLabel()
        self.reading.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("severity"))
        row.addWidget(self.severity, 1)
        row.addWidget(self.severity_label)
        shown = QHBoxLayout()
        shown.addWidget(self.picture)
        shown.addWidget(self.reading, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.kind)
        layout.addLayout(row)
        layout.addLayout(shown)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTLE_MS)
        self.timer.timeout.connect(self.refresh)
        self.kind.currentTextChanged.connect(lambda _text: self.timer.start())
        self.severity.valueChanged.connect(lambda _value: self.timer.start())
        self.refresh()

    def choice(self) -> tuple[str, int]:
        return self.kind.currentText(), self.severity.value()

    def set_preview(self, preview: Preview) -> None:
        """A new original (or model): corrupt it again."""
        self.preview = preview
        self.refresh()

    def set_busy(self, busy: bool) -> None:
        """An attack runs (the preview waits) or has ended (the preview is made)."""
        self.busy = busy
        if not busy:
            self.refresh()

    def refresh(self) -> None:
        """Show the current choice: nothing for "none", else start corrupting (or say it waits)."""
        name, severity = self.choice()
        self.severity_label.setText(str(severity))
        self.severity.setEnabled(name != NONE)
        self.result = None
        if name == NONE or self.preview is None:
            self.picture.clear()
            self.reading.setText("choose a corruption to see the image under it and the model's reading")
            return
        if self.busy:
            self.reading.setText("shown when the run ends")
            return
        self.reading.setText("corrupting\u2026")
        job = Job(corruption_job, self.preview, name, severity)
        job.finished.connect(lambda: self._on_done(job, (self.preview, name, severity)))
        self.job = job
        job.start()

    def _on_done(self, job: Job, asked: tuple) -> None:
        if job is not self.job or asked != (self.preview, *self.choice()):
            return  # a later choice is on its way
        self.job = None
        if job.error is not None:
            self.picture.clear()
            self.reading.setText(job.error)
            return
        self.result = job.result
        clean = self.preview.classification.top_k[0]["name"] if self.preview is not None else None
        top = job.result.top
        changed = "" if top == clean else f"<br><b style='color:#c62828'>changed from {html.escape(str(clean))}</b>"
        self.picture.setPixmap(pixmap(job.result.pixels))
        self.reading.setText(f"read as <b>{html.escape(top)}</b> ({percent(job.result.probability)}){changed}")
