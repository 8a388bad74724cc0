"""The data panel: what to evaluate on (a folder or the built-in digits), how many images, and where the records go.

Edits go into the view state (``EvaluateState.data``, ``limit``, ``out``).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QWidget

from inspector.gui.workspaces.evaluate.state import BUILT_IN_DATA, NO_DATA, EvaluateState

MAX_LIMIT = 1_000_000


class DataPanel(QGroupBox):
    """The data set, the image limit and the output folder."""

    def __init__(self, state: EvaluateState, parent=None):
        super().__init__("Data", parent)
        self.state = state
        form = QFormLayout(self)
        self.data_label = QLabel()
        self.data_label.setWordWrap(True)
        built_in = QPushButton("Digits")
        built_in.setToolTip(f"{BUILT_IN_DATA}: 400 handwritten digits no shipped model was trained on")
        built_in.clicked.connect(lambda: setattr(self.state, "data", BUILT_IN_DATA))
        folder = QPushButton("Folder\u2026")
        folder.setToolTip(
            "A folder of images labelled by their file names (n01440764_tench.jpg, 7_001.png) "
            "or by a labels.csv with file,label"
        )
        folder.clicked.connect(self.choose_data)
        form.addRow("images", self.data_label)
        form.addRow("", _row(built_in, folder))
        self.limit = QSpinBox()
        self.limit.setRange(0, MAX_LIMIT)
        self.limit.setSpecialValueText("all")
        self.limit.setValue(state.limit or 0)
        self.limit.setToolTip("Evaluate the first N images only")
        self.limit.valueChanged.connect(lambda n: setattr(self.state, "limit", n or None))
        form.addRow("first", self.limit)
        self.out_label = QLabel()
        self.out_label.setWordWrap(True)
        out = QPushButton("Output folder\u2026")
        out.setToolTip(
            "Each image's results are written there as they finish (results.jsonl). "
            "A folder that holds an evaluation of the same settings is continued, not redone."
        )
        out.clicked.connect(self.choose_out)
        form.addRow("records", self.out_label)
        form.addRow("", _row(out))
        state.events.data.connect(self._show)
        state.events.out.connect(self._show)
        state.events.result.connect(self._show)  # a run has written records: the folder now continues it
        self._show()

    def choose_data(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of labelled images")
        if folder:
            self.state.data = folder

    def choose_out(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder for the evaluation's records")
        if folder:
            self.state.out = folder

    def _show(self, *_args) -> None:
        data = self.state.data
        if data == NO_DATA:
            self.data_label.setText("none yet: this model takes photos; choose a folder of labelled photos")
        else:
            self.data_label.setText(data if data == BUILT_IN_DATA else Path(data).name)
        self.data_label.setToolTip(data)
        out = self.state.out
        if out is None:
            self.out_label.setText("a new temporary folder")
        else:
            self.out_label.setText(
                Path(out).name + (" (holds a run: Run continues it)" if self.state.resumes() else "")
            )
        self.out_label.setToolTip(out or "")


def _row(*buttons: QPushButton) -> QWidget:
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for button in buttons:
        layout.addWidget(button)
    layout.addStretch(1)
    return row
