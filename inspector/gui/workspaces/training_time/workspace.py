"""The Training-time workspace: backdoor an MNIST model by poisoning its training digits, then look for it.

Left: the setup panel (attack, trigger, target, rates; Train / Cancel with
progress; Neural Cleanse and the detectors). Centre: clean held-out digits
above their triggered copies, with the last model's predictions; clean
accuracy and attack success as bars and over poison rates; the detectors'
verdicts and Neural Cleanse's reconstructed triggers. It drives
:func:`inspector.core.poisoning.train.train_backdoor` and
:func:`inspector.core.poisoning.neural_cleanse.neural_cleanse` through
:mod:`inspector.gui.workspaces.training_time.jobs`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from inspector.core.io.datasets.mnist import heldout_digits
from inspector.core.poisoning.neural_cleanse import CleanseSettings
from inspector.core.poisoning.scans import DATA_SCANS
from inspector.core.poisoning.success import predict
from inspector.core.training.loop import Progress
from inspector.core.util.errors import InspectorError, ModelError
from inspector.gui.jobs import Job
from inspector.gui.workspace import Workspace, splitter
from inspector.gui.workspaces.training_time.charts import BackdoorCharts
from inspector.gui.workspaces.training_time.digit_strip import DigitGrid
from inspector.gui.workspaces.training_time.jobs import Trained, detect_job, poison_job, scan_job
from inspector.gui.workspaces.training_time.setup_panel import SetupPanel
from inspector.gui.workspaces.training_time.state import TrainingTimeState

SIDE_WIDTH = 320
#: How many held-out digits the examples row shows.
EXAMPLES = 8
#: Clean digits Neural Cleanse optimises on.
CLEANSE_IMAGES = 500


class TrainingTimeWorkspace(Workspace):
    """Signals ``training_finished`` (list of Trained), ``scan_finished`` (CleanseResult), ``detect_finished``."""

    name = "training-time"
    title = "Training-time"

    training_finished = Signal(object)
    scan_finished = Signal(object)
    detect_finished = Signal(object)

    def __init__(self, shell, state: TrainingTimeState | None = None, parent=None):
        super().__init__(shell, state, parent)
        self.state = state or TrainingTimeState()
        self._job: Job | None = None
        self.last: Trained | None = None
        #: Train on the first ``limit`` digits only (tests); None: all 8,000.
        self.limit: int | None = None
        self.cleanse_settings = CleanseSettings()
        self._build()
        self.shell.runner.busy_changed.connect(self._on_busy)
        self.state.events.attack.connect(self._show_examples)
        self.state.events.attack_params.connect(self._show_examples)
        self.state.events.runs.connect(self.charts.set_runs)
        self.state.events.cleanse.connect(self._show_cleanse)
        self.state.events.verdicts.connect(lambda lines: self.verdicts.setText("\n".join(lines)))
        self._show_examples()
        self._on_busy(self.shell.runner.busy())

    def _build(self) -> None:
        self.setup = SetupPanel(self.state, lambda name, value: setattr(self.cleanse_settings, name, value))
        self.setup.train_clicked.connect(self.train)
        self.setup.cancel_clicked.connect(self.cancel)
        self.setup.scan_clicked.connect(self.scan)
        self.setup.detect_clicked.connect(self.detect)

        self.examples = DigitGrid()
        self.charts = BackdoorCharts()
        self.verdicts = QLabel("Detectors: train a model, then press Detectors.")
        self.verdicts.setWordWrap(True)
        self.verdicts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cleanse_title = QLabel("Neural Cleanse: press Neural Cleanse to reconstruct a trigger per class.")
        self.cleanse_title.setWordWrap(True)
        self.triggers = DigitGrid()
        bottom = QWidget()
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(6, 0, 6, 0)
        for w in (self.verdicts, self.cleanse_title, self.triggers):
            bottom_layout.addWidget(w)
        bottom_layout.addStretch(1)
        self.lay_out(
            [self.setup],
            splitter(Qt.Orientation.Vertical, [self.examples, self.charts, bottom], [230, 330, 300]),
            SIDE_WIDTH,
        )

    # ---- examples -----------------------------------------------------------------------------
    def _show_examples(self, *_args) -> None:
        """Clean held-out digits (not of the target class) above their triggered copies; with a trained
        model, each captioned with its prediction."""
        try:
            configs = self.state.configs()
        except InspectorError:
            return
        config = configs[0]
        attack = config.attack
        x, y = heldout_digits()
        keep = (y != attack.target).nonzero().flatten()[:EXAMPLES]
        clean, labels = x[keep], y[keep]
        stamped = config.make_trigger().apply(clean)
        if self.last is not None:
            net = self.last.report.net
            said_clean, said_stamped = predict(net, clean).tolist(), predict(net, stamped).tolist()
            top = [f"{int(t)}: says {p}" for t, p in zip(labels, said_clean, strict=True)]
            low = [f"says {p}" for p in said_stamped]
        else:
            top = [f"label {int(t)}" for t in labels]
            poisoned = f"label \u2192 {attack.target}" if attack.relabels else "label kept"
            low = [poisoned for _ in labels]  # what the poisoned training set says, before any training
        self.examples.set_rows(
            [
                ("clean", list(zip(clean, top, strict=True))),
                (f"with the trigger ({attack.trigger})", list(zip(stamped, low, strict=True))),
            ]
        )

    # ---- training -----------------------------------------------------------------------------
    def train(self) -> None:
        """Train one backdoored model per poison rate in a worker thread (resuming from checkpoints)."""
        try:
            configs = self.state.configs()
        except InspectorError as exc:
            self.shell.show_error(str(exc))
            return
        checkpoints = [self.state.checkpoint(c) for c in configs]
        resumes = any(c.is_file() for c in checkpoints)
        job = Job(poison_job, configs, checkpoints, self.limit)
        job.progress.connect(self._on_report)
        self._job = job
        verb = "continuing from the checkpoint" if resumes else "training"
        if self.shell.runner.start(
            job, f"{verb}: {configs[0].attack.name}, {len(configs)} model(s)\u2026", self._on_trained
        ):
            self.setup.show_progress(
                0,
                1,
                ("resuming from the last finished epoch\u2026" if resumes else "poisoning the training digits\u2026"),
            )

    def cancel(self) -> None:
        """Stop at the next batch; the last finished epoch stays in the checkpoint, and Train continues from it."""
        if self._job is not None and self.shell.runner.job is self._job:
            self.shell.runner.cancel()

    def _on_report(self, report) -> None:
        if isinstance(report, Progress):
            done = (report.epoch - 1) * report.batches + report.batch
            self.setup.show_progress(
                done,
                report.epochs * report.batches,
                f"epoch {report.epoch}/{report.epochs}, loss {report.loss:.3f}, train accuracy {report.accuracy:.1%}",
            )
        elif isinstance(report, Trained):
            self.last = report
            self.state.runs = [*self.state.runs, report.report.to_dict()]
            self._show_examples()
        elif isinstance(report, tuple):
            step, steps = report
            self.setup.show_progress(step, steps, f"Neural Cleanse, step {step}/{steps}")

    def _on_trained(self, trained: list[Trained]) -> None:
        stopped = trained and not trained[-1].report.finished
        self.setup.show_progress(
            0 if stopped else 1, 1, "stopped: Train continues from the last finished epoch" if stopped else "done"
        )
        self.training_finished.emit(trained)

    # ---- scans --------------------------------------------------------------------------------
    def scan(self) -> None:
        """Neural Cleanse on the last trained model, or on the session's model before any training."""
        x = heldout_digits()[0][:CLEANSE_IMAGES]
        if self.last is not None:
            model, name = self.last.report.net.eval(), "the model trained here"
        else:
            from inspector.core.models.loading import load_model

            try:
                model = load_model(
                    self.shell.session.model,
                    "cpu",
                    weights=self.shell.session.weights,
                    trust_code=self.shell.session.trust_code,
                )
                if (model.channels, *model.input_size) != (1, 28, 28):
                    raise ModelError(
                        f"{model.name} does not take 28x28 grey digits: this workspace scans with "
                        "the shipped digits; use `inspector scan MODEL --images DIR`"
                    )
            except InspectorError as exc:
                self.shell.show_error(str(exc))
                return
            name = model.name
        job = Job(scan_job, model, x, self.cleanse_settings)
        job.progress.connect(self._on_report)
        self._job = job
        if self.shell.runner.start(job, f"Neural Cleanse on {name}\u2026", self._on_scanned):
            self.state.cleanse_model = name

    def _on_scanned(self, result) -> None:
        self.state.cleanse = result
        self.setup.show_progress(1, 1, "Neural Cleanse done" if result.finished else "Neural Cleanse stopped")
        self.scan_finished.emit(result)

    def _show_cleanse(self, result) -> None:
        if result is None:
            return
        flagged = ", ".join(str(k) for k in result.flagged) or "none"
        self.cleanse_title.setText(
            f"Neural Cleanse on {self.state.cleanse_model}: flagged class(es) {flagged} "
            f"(anomaly index > 2 on the small side; {result.seconds:.0f} s). Reconstructed triggers (mask x pattern):"
        )
        cells = [
            (
                t.mask[None] * t.pattern,
                f"{k}: L1 {result.l1[k]:.0f}\nindex {result.anomaly_index[k]:.1f}"
                + (" \u26a0" if k in result.flagged else ""),
            )
            for k, t in enumerate(result.triggers)
        ]
        self.triggers.set_rows([("per class", cells)], size=56)

    def detect(self) -> None:
        """STRIP and the data scans on the last trained model."""
        if self.last is None:
            self.shell.show_error("train a model first: the detectors look at its data and its inputs")
            return
        job = Job(detect_job, self.last.report)
        self._job = job
        scans = ", ".join(cls.title for cls in DATA_SCANS.values())
        self.shell.runner.start(job, f"STRIP, {scans}\u2026", self._on_detected)

    def _on_detected(self, lines: list[str]) -> None:
        self.state.verdicts = lines
        self.detect_finished.emit(lines)

    def _on_busy(self, busy: bool) -> None:
        running = busy and self._job is not None and self.shell.runner.job is self._job
        self.setup.set_running(running, can_run=not busy, trained=self.last is not None)
