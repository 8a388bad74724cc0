"""The image panel: the sample gallery, the current file's name and "Open image"."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QGroupBox, QLabel, QListView, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout

from inspector.core.io.resources import sample_images
from inspector.gui.workspaces.evasion.state import EvasionState, Preview

THUMBNAIL = 72


def file_text(image: str, preview: Preview | None) -> str:
    """The file's name, and how its colour was changed for the model (a photo for a digit model)."""
    conversion = preview.conversion if preview is not None else None
    return Path(image).name + (f"\n{conversion}" if conversion else "")


class ImagePanel(QGroupBox):
    """Emits ``image_chosen(path)`` for a sample click; ``open_requested`` for the file dialog."""

    image_chosen = Signal(str)
    open_requested = Signal()

    def __init__(self, state: EvasionState, parent=None):
        super().__init__("Image (samples, File > Open, or drop a file)", parent)
        self.gallery = QListWidget()
        self.gallery.setViewMode(QListView.ViewMode.IconMode)
        self.gallery.setIconSize(QSize(THUMBNAIL, THUMBNAIL))
        self.gallery.setFixedHeight(110)
        self.gallery.setMovement(QListView.Movement.Static)
        self.set_samples(sample_images())
        self.gallery.itemClicked.connect(lambda item: self.image_chosen.emit(item.data(Qt.ItemDataRole.UserRole)))
        open_button = QPushButton("Open image\u2026")
        open_button.clicked.connect(self.open_requested)
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.gallery)
        layout.addWidget(self.file_label)
        layout.addWidget(open_button)
        state.events.preview.connect(lambda preview: self.file_label.setText(file_text(state.image, preview)))

    def set_samples(self, paths: list[Path]) -> None:
        """Show ``paths`` in the gallery (the samples that suit the model), unless it shows them already."""
        if self.samples() == [str(p) for p in paths]:
            return
        self.gallery.clear()
        for path in paths:
            icon = QIcon(
                QPixmap(str(path)).scaled(
                    THUMBNAIL, THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
                )
            )
            item = QListWidgetItem(icon, path.stem)
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            self.gallery.addItem(item)

    def samples(self) -> list[str]:
        """The gallery's image paths, in order."""
        return [self.gallery.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.gallery.count())]

    def step(self, current: str, offset: int) -> str | None:
        """The sample ``offset`` places after ``current`` (from the first, if ``current`` is none of them),
        wrapping round, now selected in the gallery; None without samples."""
        count = self.gallery.count()
        if count == 0:
            return None
        paths = self.samples()
        resolved = [str(Path(p).resolve()) for p in paths]
        here = str(Path(current).resolve())
        index = resolved.index(here) if here in resolved else (-1 if offset > 0 else 0)
        row = (index + offset) % count
        self.gallery.setCurrentRow(row)
        return paths[row]
