"""The model inversion task: MI-Face reconstructs each class of the chosen MNIST model, scored.

Its view shows the grid of the ten reconstructions, each with the model's
probability for its class, and the scores: does the model itself, does another
shipped model see the class, and SSIM to the class mean of the held-out digits.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout

from inspector.core.privacy.inversion import MIFace
from inspector.core.privacy.inversion_run import InversionConfig, InversionReport, invert_model
from inspector.gui.jobs import Job
from inspector.gui.param_form import ParamForm
from inspector.gui.workspaces.privacy.state import PrivacyState
from inspector.gui.workspaces.privacy.task import PrivacyTask, Progress, ResultView, TaskForm

#: Report MI-Face's progress every this many iterations.
REPORT_EVERY = 10


class InversionForm(TaskForm):
    """MI-Face's settings (its ``param()`` fields) on a :class:`ParamForm`, written into the state."""

    def __init__(self, state: PrivacyState, parent=None):
        super().__init__(state, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.params = ParamForm(lambda name, value: setattr(self.state.inversion, name, value))
        layout.addWidget(self.params)
        self.show_state()

    def show_state(self) -> None:
        self.params.set_params(MIFace.params(), vars(self.state.inversion))


def use_inversion(state: PrivacyState, config: InversionConfig) -> None:
    """Take a saved inversion's model and MI-Face settings."""
    state.victim = config.model
    state.inversion = dataclasses.replace(config.attack)


class InversionView(ResultView):
    """The grid of reconstructions and the scores under it."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setMinimumSize(200, 60)
        self.picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self._pixmap = QPixmap()
        self.scores = QLabel("")
        self.scores.setWordWrap(True)
        self.scores.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.scores.setMinimumHeight(9 * self.scores.fontMetrics().lineSpacing())
        layout = QVBoxLayout(self)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.scores)
        self.show_result(None)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """The grid scaled to fit the space available, both ways (never above twice its size): a grid
        scaled to the width alone ran past a short view's bottom, cutting its captions. Enlarged, its
        pixels stay sharp; shrunk, it is smoothed so that the captions stay legible."""
        if not self._pixmap.isNull():
            width = max(min(self.picture.width() - 8, 2 * self._pixmap.width()), 100)
            height = max(min(self.picture.height() - 8, 2 * self._pixmap.height()), 40)
            shrinks = width < self._pixmap.width() or height < self._pixmap.height()
            how = Qt.TransformationMode.SmoothTransformation if shrinks else Qt.TransformationMode.FastTransformation
            self.picture.setPixmap(self._pixmap.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio, how))

    def show_running(self, text: str) -> None:
        """In place of "Run to reconstruct": the run's stage, until its grid comes."""
        if self._pixmap.isNull():
            self.picture.setText(f"Reconstructing each class\u2026\n{text}")

    def show_result(self, result: InversionReport | None) -> None:
        if result is None:
            self._pixmap = QPixmap()
            self.picture.clear()
            self.picture.setText("Run to reconstruct each class of the model")
            self.scores.setText("")
            return
        grid = result.grid().convert("RGB")
        data = grid.tobytes()
        image = QImage(data, grid.width, grid.height, 3 * grid.width, QImage.Format.Format_RGB888).copy()
        self._pixmap = QPixmap.fromImage(image)
        self._fit()
        s = result.summary
        stopped = " (stopped: the best images so far)" if result.stopped else ""
        lines = [
            f"MI-Face on {result.config.model}, {result.seconds:.0f} s{stopped}; under each image the "
            "model's probability for its class",
            f"\u2022 the model itself sees the class in {_count(s['self'])}",
        ]
        lines += [f"\u2022 {name} sees the class in {_count(r)}" for name, r in s["judges"].items()]
        lines += [
            f"\u2022 closest (SSIM) to its own class mean: {_count(s['closest_to_own_mean'])}; mean SSIM "
            f"{s['ssim_mean']:.3f} (grey start {s['ssim_grey_start']:.3f})",
            "Ten images: the 95 % intervals are wide. A robust model is expected to give more "
            "recognisable digits (Tsipras et al. 2019, arXiv:1805.12152).",
        ]
        self.scores.setText("\n".join(lines))


def _count(r: dict) -> str:
    return f"{round(r['rate'] * r['n'])}/{r['n']} [{r['low']:.0%}, {r['high']:.0%}]"


def run_inversion(job: Job, state: PrivacyState) -> InversionReport:
    """MI-Face on ``state.victim`` (see :func:`invert_model`); cancelling keeps the best images so far."""
    attack = dataclasses.replace(state.inversion)  # the form may change the state's while this runs

    def on_step(step) -> None:
        if step.iteration % REPORT_EVERY == 0 or not step.active.any():
            job.report(
                Progress(
                    step.iteration,
                    attack.max_iterations,
                    f"iteration {step.iteration}: {int(step.active.sum())} of 10 classes still improving",
                )
            )

    return invert_model(InversionConfig(state.victim, attack), on_step=on_step, should_stop=job.cancelled)


INVERSION = PrivacyTask(
    name="inversion",
    title="Model inversion",
    description="Reconstruct what each class looks like from the model alone: gradient descent on "
    "1 - p(class) from a grey image, with MI-Face's stopping rule (Fredrikson et al. 2015, "
    "CCS). Scored by the other shipped models and by SSIM to the class mean.",
    form=InversionForm,
    view=InversionView,
    run=run_inversion,
    figure=lambda result: result.grid(),
    to_dict=lambda result: result.to_dict(),
    use=use_inversion,
)
