"""Core work off the GUI thread: loading a model and image, and running an attack.

A :class:`Worker` is a QThread running one job. Results come back through Qt
signals with small payloads (floats and 224x224 uint8 arrays made in the worker),
live frames are throttled, and :meth:`Worker.cancel` sets a flag the attack
checks once per iteration through ``should_stop``.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

import numpy as np
import torch
from PySide6.QtCore import QThread, Signal

from inspector.core.attacks import Step
from inspector.core.compare import Comparison, compare
from inspector.core.errors import InspectorError
from inspector.core.image import load_tensor
from inspector.core.models import load_model
from inspector.core.run import Inspection, Recipe, inspect, predict
from inspector.core.visualize import diverging_colors, perturbation_map
from inspector.gui.state import Preview

#: Live image updates per second, at most.
FRAME_RATE = 15.0


def to_pixels(x: torch.Tensor) -> np.ndarray:
    """(1, C, H, W) in [0, 1] -> (H, W, 3) uint8, grey repeated to RGB."""
    a = x[0].detach().float().cpu().clamp(0, 1).mul(255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    return np.repeat(a, 3, axis=2) if a.shape[2] == 1 else np.ascontiguousarray(a)


def perturbation_pixels(x: torch.Tensor, x_adv: torch.Tensor) -> tuple[np.ndarray, float]:
    """The perturbation as (H, W, 3) uint8 blue-white-red, and its scale in grey levels."""
    values, scale = perturbation_map(x.cpu(), x_adv.cpu())
    return diverging_colors(values), scale


@dataclass
class Progress:
    """One attack iteration, as sent to the GUI: numbers only."""

    iteration: int
    total: int
    loss: float
    true_probability: float


@dataclass
class Frame:
    """A throttled live picture of the current iterate."""

    adversarial: np.ndarray
    perturbation: np.ndarray
    scale: float


@dataclass
class AttackOutcome:
    """A finished attack: the Inspection, its final pictures and, when models were compared, the Comparison."""

    inspection: Inspection
    frame: Frame
    comparison: Comparison | None = None


def error_message(exc: BaseException) -> str:
    """One line a user can act on, for any exception a job may raise."""
    if isinstance(exc, InspectorError):
        return str(exc)
    if isinstance(exc, torch.OutOfMemoryError):
        return "the device ran out of memory: choose the CPU or a smaller model, then run again"
    return f"unexpected error: {type(exc).__name__}: {exc}"


def _limit_threads() -> None:
    """Leave one core to the GUI thread (OpenMP thread counts are per calling thread)."""
    torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))


class Worker(QThread):
    """Runs one job on its own thread; ``done`` carries the result, ``failed`` a message.

    ``succeeded`` is set before ``done`` is emitted; QThread's ``finished`` follows both.
    """

    done = Signal(object)
    failed = Signal(str)
    progress = Signal(object)
    frame = Signal(object)
    stage = Signal(str)        # a model comparison starts attacking this model

    def __init__(self, parent=None):
        super().__init__(parent)
        self._cancel = threading.Event()
        self.succeeded = False

    def cancel(self) -> None:
        """Ask the running attack to stop at its next iteration."""
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:  # runs on the worker thread
        _limit_threads()
        try:
            result = self.job()
        except BaseException as exc:  # noqa: BLE001 - every failure goes to the GUI as a message
            self.failed.emit(error_message(exc))
        else:
            self.succeeded = True
            self.done.emit(result)

    def job(self):
        raise NotImplementedError


class PreviewWorker(Worker):
    """Load the model and the image, and classify the image: ``done`` gets a :class:`Preview`."""

    def __init__(self, image: str, model: str, device: str | None, parent=None):
        super().__init__(parent)
        self.image, self.model, self.device = image, model, device

    def job(self) -> Preview:
        clf = load_model(self.model, self.device)
        x = load_tensor(self.image, clf.input_size, clf.channels)
        return Preview(to_pixels(x), predict(clf, x.to(clf.device)), clf.class_names, str(clf.device))


class AttackWorker(Worker):
    """Run :func:`inspector.core.run.inspect` on a recipe, or with ``compare`` models
    :func:`inspector.core.compare.compare`: ``done`` gets an :class:`AttackOutcome`.

    The live frames and progress follow the first model's attack; direct attacks
    on the compared models report progress too.
    """

    def __init__(self, recipe: Recipe, true_label: int, parent=None, *, compare: list[str] = (),
                 compare_direct: bool = False):
        super().__init__(parent)
        self.recipe, self.true_label = recipe, true_label
        self.compare, self.compare_direct = list(compare), compare_direct
        self._x: torch.Tensor | None = None
        self._last_frame = 0.0
        self._frames = True

    def job(self) -> AttackOutcome:
        clf = load_model(self.recipe.model, self.recipe.device)
        self._x = load_tensor(self.recipe.image, clf.input_size, clf.channels)
        comparison = None
        if self.compare:
            comparison = compare(self.recipe, self.compare, direct=self.compare_direct, on_step=self._on_step,
                                 should_stop=self.cancelled, on_attack=self._on_attack)
            inspection = comparison.source
        else:
            inspection = inspect(self.recipe, model=clf, on_step=self._on_step, should_stop=self.cancelled)
        perturbation, scale = perturbation_pixels(inspection.x, inspection.x_adv)
        return AttackOutcome(inspection, Frame(to_pixels(inspection.x_adv), perturbation, scale), comparison)

    def _on_attack(self, model: str) -> None:
        """Pictures follow the first model's attack only; direct attacks on the others report progress."""
        self._frames = model == self.recipe.model
        self.stage.emit(model)

    def _on_step(self, step: Step) -> None:
        self.progress.emit(Progress(step.iteration, step.total, float(step.loss[0]),
                                    float(step.probabilities[0, self.true_label])))
        now = time.monotonic()
        if self._frames and now - self._last_frame >= 1.0 / FRAME_RATE:
            self._last_frame = now
            x_adv = step.x_adv[:1].detach().cpu()
            perturbation, scale = perturbation_pixels(self._x, x_adv)
            self.frame.emit(Frame(to_pixels(x_adv), perturbation, scale))
