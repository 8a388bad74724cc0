"""The Run / Cancel row of a long job, its progress bar and its stage line, as one widget."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget


class RunBar(QWidget):
    """``run_button`` (labelled ``run_text``), ``cancel_button`` (disabled until a job runs),
    ``progress`` and ``stage`` (a wrapped line saying what the job does now), stacked; the buttons'
    clicks call ``on_run`` and ``on_cancel``."""

    def __init__(self, run_text: str, run_tip: str, cancel_tip: str, on_run, on_cancel, parent=None):
        super().__init__(parent)
        self.run_button = QPushButton(run_text)
        self.run_button.setToolTip(run_tip)
        self.run_button.clicked.connect(on_run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(cancel_tip)
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(on_cancel)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        self.progress = QProgressBar()
        self.stage = QLabel("")
        self.stage.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.stage)
