"""The Model set-up dialog: edit a model file's sidecar (``MODEL.inspector.json``) and see its effect at once.

It edits what the model is fed (input size, channels, mean, std, resize rule)
and how its outputs are named (class names inline or from a text file), and
shows a sample image as the model would see it with the top-5 classes the
model gives it: a wrong normalisation shows at once as a nonsense top-5. The
preview runs the already loaded network synchronously (one image), a moment
after the last edit. Save checks the metadata against the schema and writes
the sidecar (see :mod:`inspector.core.models.formats.sidecar`).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import numpy as np
import torch
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector.core.io.image import RESIZE_RULES, load_image, preprocess, to_tensor
from inspector.core.io.resources import sample_images
from inspector.core.io.untrusted import read_json
from inspector.core.models.classifier import Classifier
from inspector.core.models.formats.sidecar import (
    MAX_SIDECAR_BYTES,
    has_sidecar,
    sidecar_path,
    with_metadata,
    write_sidecar,
)
from inspector.core.models.labels import default_class_names
from inspector.core.models.metadata import MAX_SIDE, parse_metadata
from inspector.core.util.errors import InspectorError, ModelError
from inspector.core.util.messages import show_path
from inspector.core.util.metrics import top_k
from inspector.gui.probabilities import ProbabilityEntry, ProbabilityPanel

#: Milliseconds after the last edit before the preview runs.
PREVIEW_DELAY_MS = 250
PREVIEW_SIDE = 224
TOP_K = 5


def _numbers(text: str) -> list[float]:
    return [float(part) for part in text.replace(",", " ").split()]


def _format(values: torch.Tensor) -> str:
    flat = [round(float(v), 6) for v in values.flatten()]
    return f"{flat[0]:g}" if len(set(flat)) == 1 else ", ".join(f"{v:g}" for v in flat)


class ModelSetupDialog(QDialog):
    """Edits the sidecar of ``model_path``, starting from what ``model`` (loaded from it) is fed now.

    ``saved(path)`` is emitted with the sidecar's path once it is written.
    """

    saved = Signal(object)

    def __init__(self, model_path: str | os.PathLike, model: Classifier, parent=None):
        super().__init__(parent)
        self.model_path = Path(model_path)
        self.model = model
        self.sidecar = sidecar_path(self.model_path)
        self.setWindowTitle(f"Model set-up: {self.model_path.name}")
        self._timer = QTimer(self, singleShot=True, interval=PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        self._build()
        self._fill(self._existing())
        self.refresh()

    # ---- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.height_box, self.width_box = QSpinBox(), QSpinBox()
        for box in (self.height_box, self.width_box):
            box.setRange(1, MAX_SIDE)
            box.setSuffix(" px")
        size = QHBoxLayout()
        size.addWidget(self.height_box)
        size.addWidget(QLabel("high \u00d7"))
        size.addWidget(self.width_box)
        size.addWidget(QLabel("wide"))
        self.channels_box = QComboBox()
        self.channels_box.addItem("3 (RGB)", 3)
        self.channels_box.addItem("1 (grey)", 1)
        self.mean_edit, self.std_edit = QLineEdit(), QLineEdit()
        self.mean_edit.setToolTip(
            "one number, or one per channel: the model is fed (pixel - mean) / std, pixels in [0, 1]"
        )
        self.std_edit.setToolTip(self.mean_edit.toolTip())
        self.resize_box = QComboBox()
        self.resize_box.addItems(RESIZE_RULES)
        self.resize_box.setToolTip(
            "shorter-side-crop: resize the shorter side, crop the centre; stretch: resize the whole image"
        )
        self.task_edit = QLineEdit()
        self.names_file_edit = QLineEdit()
        self.names_file_edit.setPlaceholderText("none: the names below")
        browse = QPushButton("Browse\u2026")
        browse.clicked.connect(self._choose_names_file)
        names_file = QHBoxLayout()
        names_file.addWidget(self.names_file_edit)
        names_file.addWidget(browse)
        self.names_edit = QPlainTextEdit()
        self.names_edit.setPlaceholderText(
            "one class name per line; none: ImageNet names for 1000 outputs, else class 0, class 1, ..."
        )
        self.names_edit.setMaximumHeight(110)
        self.sample_box = QComboBox()
        for path in sample_images():
            self.sample_box.addItem(path.name, str(path))

        form = QFormLayout()
        form.addRow("input size", size)
        form.addRow("channels", self.channels_box)
        form.addRow("mean", self.mean_edit)
        form.addRow("std", self.std_edit)
        form.addRow("resize", self.resize_box)
        form.addRow("task", self.task_edit)
        form.addRow("class names file", names_file)
        form.addRow("class names", self.names_edit)
        form.addRow("sample image", self.sample_box)

        self.image_label = QLabel()
        self.image_label.setFixedSize(PREVIEW_SIDE, PREVIEW_SIDE)
        self.image_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image_label.setStyleSheet("background: #202020")
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.caption.setMaximumWidth(PREVIEW_SIDE)
        self.top = ProbabilityPanel(legend=False)
        self.top.setMinimumWidth(300)
        policy = self.top.sizePolicy()
        policy.setRetainSizeWhenHidden(True)  # the layout stays put while an error hides the chart
        self.top.setSizePolicy(policy)
        picture = QVBoxLayout()
        picture.addWidget(QLabel("as the model sees it"))
        picture.addWidget(self.image_label)
        picture.addWidget(self.caption)
        picture.addStretch(1)
        preview = QHBoxLayout()
        preview.addLayout(picture)
        preview.addWidget(self.top, 1)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        where = QLabel(f"writes {show_path(self.sidecar)}")
        where.setWordWrap(True)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(form)
        left_layout.addWidget(where)
        left_layout.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(left, 1)
        body.addLayout(preview, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        for box in (self.height_box, self.width_box):
            box.valueChanged.connect(self._changed)
        for combo in (self.channels_box, self.resize_box, self.sample_box):
            combo.currentIndexChanged.connect(self._changed)
        for edit in (self.mean_edit, self.std_edit, self.task_edit, self.names_file_edit):
            edit.textChanged.connect(self._changed)
        self.names_edit.textChanged.connect(self._changed)

    def _existing(self) -> dict:
        """The sidecar's keys as written (to keep a class names file a reference), or none: a sidecar
        that cannot be read as bounded, untrusted JSON (see :func:`~inspector.core.models.formats.sidecar.read_sidecar`)
        is replaced by what the fields say, and so are keys of the wrong type."""
        if not has_sidecar(self.model_path):
            return {}
        try:
            data = read_json(self.sidecar, ModelError, "model metadata", MAX_SIDECAR_BYTES)
        except InspectorError:
            return {}
        if not isinstance(data, dict):
            return {}
        return {
            k: v
            for k, v in data.items()
            if (k == "class_names" and isinstance(v, list) and all(isinstance(n, str) for n in v))
            or (k in ("task", "class_names_file") and isinstance(v, str))
        }

    def _fill(self, existing: dict) -> None:
        model = self.model
        self.height_box.setValue(model.input_size[0])
        self.width_box.setValue(model.input_size[1])
        self.channels_box.setCurrentIndex(self.channels_box.findData(model.channels))
        self.mean_edit.setText(_format(model.mean))
        self.std_edit.setText(_format(model.std))
        self.resize_box.setCurrentText(model.resize)
        self.task_edit.setText(existing.get("task", model.task))
        self.names_file_edit.setText(existing.get("class_names_file", ""))
        if isinstance(existing.get("class_names"), list):
            self.names_edit.setPlainText("\n".join(map(str, existing["class_names"])))
        grey = [
            i
            for i in range(self.sample_box.count())
            if (model.channels == 1) == ("mnist" in self.sample_box.itemText(i))
        ]
        if grey:
            self.sample_box.setCurrentIndex(grey[0])

    def _choose_names_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Class names, one per line", str(self.sidecar.parent), "Text files (*.txt);;All files (*)"
        )
        if path:
            with contextlib.suppress(ValueError):  # another drive: the path stays absolute
                path = os.path.relpath(path, self.sidecar.parent)
            self.names_file_edit.setText(path)

    # ---- metadata and preview -----------------------------------------------------------------
    def metadata(self) -> dict:
        """The sidecar's content as the fields say.

        Raises:
            ValueError: the mean or std is not a list of numbers.
        """
        data = {
            "input_size": [self.height_box.value(), self.width_box.value()],
            "channels": self.channels_box.currentData(),
        }
        for key, edit in (("mean", self.mean_edit), ("std", self.std_edit)):
            try:
                values = _numbers(edit.text())
            except ValueError:
                raise ValueError(
                    f"{key} must be one number or one per channel, e.g. 0.5 or 0.485, 0.456, 0.406"
                ) from None
            data[key] = values[0] if len(values) == 1 else values
        data["resize"] = self.resize_box.currentText()
        if self.task_edit.text().strip():
            data["task"] = self.task_edit.text().strip()
        names = [line.strip() for line in self.names_edit.toPlainText().splitlines() if line.strip()]
        if self.names_file_edit.text().strip():
            data["class_names_file"] = self.names_file_edit.text().strip()
        elif names:
            data["class_names"] = names
        return data

    def _changed(self, *_args) -> None:
        self.names_edit.setEnabled(not self.names_file_edit.text().strip())
        self._timer.start()

    def refresh(self) -> bool:
        """Preview the sample image with the metadata as the fields say; False (and why, in red) on failure."""
        self._timer.stop()
        try:
            self._preview()
        except (InspectorError, ValueError) as exc:
            self.status.setText(str(exc))
            self.status.setStyleSheet("color: #c62828")
            self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(False)
            self.top.setVisible(False)
            self.image_label.clear()
            self.caption.setText("")
            return False
        self.top.setVisible(True)
        self.status.setText("")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(True)
        return True

    def _preview(self) -> None:
        text = json.dumps(self.metadata())
        meta = parse_metadata(text, show_path(self.sidecar), folder=self.sidecar.parent)
        clf = with_metadata(self.model.net, self.model.name, meta)
        clf.to(self.model.device)
        image = preprocess(
            load_image(self.sample_box.currentData(), channels=meta.channels), meta.input_size, meta.resize
        )
        self._show_image(np.asarray(image))
        with torch.no_grad():
            logits = clf(to_tensor(image).to(clf.device))
        k = logits.shape[-1]
        names = meta.class_names or default_class_names(k)
        if len(names) != k:
            raise ValueError(f"{len(names)} class names for the model's {k} outputs")
        if not torch.isfinite(logits).all():
            raise ValueError("the model gives NaN or infinite logits with this set-up (a std of 0?)")
        rows = top_k(logits.softmax(1)[0].cpu(), names, TOP_K)
        self.caption.setText(
            f"{meta.input_size[0]}x{meta.input_size[1]}, {meta.resize}; "
            f"top-1 {rows[0]['name']} ({rows[0]['probability']:.0%})"
        )
        self.top.set_entries([ProbabilityEntry(f"top-{TOP_K} on {self.sample_box.currentText()}", rows)])

    def _show_image(self, pixels: np.ndarray) -> None:
        pixels = np.ascontiguousarray(pixels)
        h, w = pixels.shape[:2]
        if pixels.ndim == 2:
            image = QImage(pixels.data, w, h, w, QImage.Format.Format_Grayscale8)
        else:
            image = QImage(pixels.data, w, h, 3 * w, QImage.Format.Format_RGB888)
        pixmap = QPixmap.fromImage(image.copy()).scaled(
            PREVIEW_SIDE, PREVIEW_SIDE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.FastTransformation
        )
        self.image_label.setPixmap(pixmap)

    # ---- saving -------------------------------------------------------------------------------
    def save(self) -> None:
        """Write the sidecar and close; on an error, say why and stay open."""
        if not self.refresh():
            return
        try:
            path = write_sidecar(self.model_path, self.metadata())
        except InspectorError as exc:
            self.status.setText(str(exc))
            self.status.setStyleSheet("color: #c62828")
            return
        self.saved.emit(path)
        self.accept()
