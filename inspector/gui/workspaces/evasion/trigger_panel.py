"""The trigger panel: stamp a backdoor trigger on the current image, to see what a backdoored model does.

The three panes then show the clean image, the trigger and the triggered image,
and the probability bars the prediction before and after (try ``mnist-backdoor``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QPushButton

from inspector.core.evasion.classify import Classification
from inspector.core.poisoning.triggers import KINDS
from inspector.gui.probabilities import ProbabilityEntry


class TriggerPanel(QGroupBox):
    """Emits ``stamp_clicked(kind)``."""

    stamp_clicked = Signal(str)

    def __init__(self, parent=None):
        super().__init__("Backdoor trigger", parent)
        self.kind = QComboBox()
        self.kind.addItems(KINDS)
        self.kind.setToolTip(
            "pixel: 3x3 corner pattern (mnist-backdoor's); patch: white square; blend: noise image at alpha 0.2"
        )
        self.button = QPushButton("Stamp trigger")
        self.button.setToolTip("Show the image with the trigger stamped on it and both predictions")
        self.button.clicked.connect(lambda: self.stamp_clicked.emit(self.kind.currentText()))
        layout = QHBoxLayout(self)
        layout.addWidget(self.kind)
        layout.addWidget(self.button, 1)


def stamp_entries(clean: Classification, stamped: Classification) -> list[ProbabilityEntry]:
    """Bars of the clean image and of the triggered one (its top-1 highlighted)."""
    true = clean.label
    changed = "prediction changed" if stamped.label != true else "prediction kept"
    return [
        ProbabilityEntry("clean image", clean.top_k, {true: "true"}),
        ProbabilityEntry(f"with the trigger ({changed})", stamped.top_k, {stamped.label: "adversarial", true: "true"}),
    ]
