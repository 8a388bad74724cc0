"""The "Train detector…" dialog of the defence panel: train a learned detector (Metzen et al. 2017,
arXiv:1702.04267) of one attack's adversarials against the loaded model, on a worker thread with
progress and Cancel, then check it in the panel with its file filled in.

The job is :func:`~inspector.core.learned_detector.job.run_job`; it runs on the workspace's runner,
so it never overlaps an attack.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector.core.attacks import ATTACKS
from inspector.core.learned_detector.job import DetectorJob, run_job
from inspector.core.learned_detector.suite import DEFAULT_ATTACK
from inspector.core.learned_detector.train import DetectorProgress, TrainedDetector
from inspector.core.models.loading import load_model
from inspector.gui.jobs import Job, JobRunner, draws_global_rng
from inspector.gui.run_bar import RunBar
from inspector.gui.workspaces.evasion.state import Preview


@draws_global_rng
def train_detector_job(job: Job, preview: Preview, spec: DetectorJob) -> TrainedDetector | None:
    """Load the preview's model and run ``spec``, reporting :class:`DetectorProgress`; None when cancelled."""
    model = load_model(preview.model, preview.device, weights=preview.weights, trust_code=preview.trust_code)
    return run_job(model, spec, on_progress=job.report, should_stop=job.cancelled)


class TrainDetectorDialog(QDialog):
    """Data, attack, epochs, false positive rate and output file; Run / Cancel / progress.

    ``trained(path)`` is emitted with the written ``.safetensors`` once a run finishes; ``ended(result)``
    after every run that did not fail, with the :class:`TrainedDetector` or None (cancelled).
    """

    trained = Signal(str)
    ended = Signal(object)

    def __init__(self, runner: JobRunner, preview: Preview, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Train a learned detector")
        self.setMinimumWidth(560)  # room for a path
        self.runner, self.preview = runner, preview
        self.job: Job | None = None
        digits = preview.shape[0] == 1 and len(preview.classification.probabilities) == 10
        self.data = QLineEdit("mnist-train" if digits else "")
        self.data.setPlaceholderText("mnist-train, a GTSRB .npz, or a folder of labelled images")
        self.attack = QComboBox()
        for name, cls in ATTACKS.items():
            if cls.threat_model == "white-box":
                self.attack.addItem(cls.title, name)
        self.attack.setCurrentIndex(max(0, self.attack.findData(DEFAULT_ATTACK)))
        self.epochs = QSpinBox(minimum=1, maximum=1000, value=5)
        self.limit = QSpinBox(minimum=10, maximum=100_000, value=2000)
        self.fpr = QDoubleSpinBox(minimum=0.001, maximum=0.5, value=0.05, decimals=3, singleStep=0.01)
        self.out = QLineEdit()
        self.out.setPlaceholderText("detector.safetensors")
        form = QFormLayout()
        form.addRow("Clean images", self._with_button(self.data, "Folder\u2026", self._choose_data))
        form.addRow("Attack to learn", self.attack)
        form.addRow("Training images", self.limit)
        form.addRow("Epochs", self.epochs)
        form.addRow("False positive rate", self.fpr)
        form.addRow("Save as", self._with_button(self.out, "Choose\u2026", self._choose_out))
        note = QLabel(
            f"Trained against {preview.model}. It recognises the attack it learns and far fewer of the "
            "others; an attack that knows it gets past it (see the guide)."
        )
        note.setWordWrap(True)
        self.bar = RunBar(
            "Train",
            "make the attack's adversarials and train the detector",
            "stop; nothing is written",
            self.run,
            self.cancel,
        )
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.bar)
        runner.busy_changed.connect(self._on_busy)
        runner.failed.connect(self._on_failed)
        self._on_busy(runner.busy())

    def _with_button(self, edit: QLineEdit, text: str, slot) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(edit, 1)
        button = QPushButton(text)
        button.clicked.connect(slot)
        layout.addWidget(button)
        return row

    def _choose_data(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder of clean labelled images")
        if folder:
            self.data.setText(folder)

    def _choose_out(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the detector", "detector.safetensors", "*.safetensors")
        if path:
            self.out.setText(path if path.endswith(".safetensors") else path + ".safetensors")

    def spec(self) -> DetectorJob:
        """The job the fields describe."""
        return DetectorJob(
            data=self.data.text().strip(),
            out=self.out.text().strip(),
            attack=self.attack.currentData(),
            fpr=self.fpr.value(),
            epochs=self.epochs.value(),
            limit=self.limit.value(),
        )

    def run(self) -> None:
        spec = self.spec()
        if not spec.data or not spec.out:
            self.bar.stage.setText("give the clean images and where to save the detector")
            return
        job = Job(train_detector_job, self.preview, spec)
        job.progress.connect(self._on_progress)
        self.job = job  # before the start: the runner's busy signal enables Cancel for it
        if not self.runner.start(job, "training a detector\u2026", self._on_done):
            self.job = None
            return
        self.bar.progress.setRange(0, 0)
        self.bar.stage.setText("loading the images\u2026")

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def _on_progress(self, p: DetectorProgress) -> None:
        self.bar.progress.setRange(0, p.total)
        self.bar.progress.setValue(p.done)
        if p.stage == "attack":
            self.bar.stage.setText(f"making adversarials: {p.done} of {p.total} images")
        else:
            self.bar.stage.setText(f"training: batch {p.done} of {p.total}, loss {p.loss:.4f}")

    def _on_done(self, trained: TrainedDetector | None) -> None:
        self.job = None
        if trained is None:
            self.bar.stage.setText("cancelled: nothing written")
        else:
            info = trained.info
            self.bar.stage.setText(
                f"saved and checked in the panel: threshold {info.threshold:.3f} at {info.fpr:g} FPR on "
                f"{info.calibration_images} held-out images"
            )
            self.trained.emit(self.out.text().strip())
        self.ended.emit(trained)

    def _on_failed(self, message: str) -> None:
        if self.job is not None:
            self.job = None
            self.bar.stage.setText(message)

    def _on_busy(self, busy: bool) -> None:
        self.bar.run_button.setEnabled(not busy)
        self.bar.cancel_button.setEnabled(busy and self.job is not None)
        if not busy:
            self.bar.progress.setRange(0, 1)
