"""Long work off the GUI thread, the same way for every workspace.

A :class:`Job` runs one function on a worker thread of superqt's thread pool
(a superqt ``WorkerBase``). The function gets the job, so it can report
progress (``job.report(value)`` -> the ``progress`` signal, delivered on the
GUI thread) and check ``job.cancelled()`` once per iteration. Cancelling does
not discard the work: the function returns what it has finished, as the
attacks do when ``should_stop()`` is true. Any exception becomes one line a
user can act on (:func:`error_message`).

A :class:`JobRunner` runs one job at a time and tells when it starts, fails and ends.
Each workspace has its own, so jobs of different workspaces run side by side. What they may
share is safe to share: a loaded model (the same object when two workspaces load the same
one) stays in eval mode with frozen weights, and the attacks only differentiate with respect
to their inputs. What is not, torch's global random generator, is locked: a function marked
with :func:`draws_global_rng` (training) holds
:data:`~inspector.core.util.global_rng.GLOBAL_RNG` for its whole run, and Monte Carlo dropout
takes it for its passes (on a copy of the model).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import torch
from PySide6.QtCore import QObject, Signal
from superqt.utils import WorkerBase

from inspector.core.util.errors import InspectorError, ParameterError
from inspector.core.util.global_rng import GLOBAL_RNG
from inspector.core.util.messages import one_line
from inspector.gui.param_form import error_text


def error_message(exc: BaseException) -> str:
    """One line a user can act on, for any exception a job may raise; a :class:`ParameterError`
    naming its parameter names it by its form label (:func:`~inspector.gui.param_form.error_text`)."""
    if isinstance(exc, ParameterError):
        return error_text(exc)
    if isinstance(exc, InspectorError):
        return str(exc)
    if isinstance(exc, torch.OutOfMemoryError):
        return "the device ran out of memory: choose the CPU or a smaller model, then run again"
    return f"unexpected error: {type(exc).__name__}: {one_line(exc)}"


def draws_global_rng(func: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a job function that seeds and draws from torch's global random generator (it trains):
    its :class:`Job` holds :data:`~inspector.core.util.global_rng.GLOBAL_RNG` while it runs, waiting
    for another such job to end first."""
    func.draws_global_rng = True  # type: ignore[attr-defined]
    return func


class _Progress(QObject):
    progress = Signal(object)


class Job(WorkerBase):
    """``func(job, *args, **kwargs)`` on a worker thread.

    Attributes, set when the function ends: ``result`` (its return value),
    ``error`` (a one-line message, or None) and ``succeeded``.
    """

    def __init__(self, func: Callable[..., Any], *args, **kwargs):
        super().__init__()
        self._progress = _Progress()
        self._call = (func, args, kwargs)
        self._cancel = threading.Event()
        self._ended = threading.Event()
        self.result: Any = None
        self.error: str | None = None
        self.succeeded = False

    @property
    def progress(self):
        """Signal(object): what the function reported, delivered on the GUI thread."""
        return self._progress.progress

    def report(self, value: Any) -> None:
        """Send ``value`` to the GUI thread through the ``progress`` signal (callable from the job)."""
        self.progress.emit(value)

    def cancel(self) -> None:
        """Ask the function to stop at its next check of :meth:`cancelled`."""
        self._cancel.set()

    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the function has returned or raised; False on timeout."""
        return self._ended.wait(timeout)

    def ended(self) -> bool:
        return self._ended.is_set()

    def work(self) -> None:  # on the worker thread
        # Leave one core to the GUI thread (OpenMP thread counts are per calling thread).
        torch.set_num_threads(max(1, (os.cpu_count() or 2) - 1))
        func, args, kwargs = self._call
        try:
            with GLOBAL_RNG if getattr(func, "draws_global_rng", False) else nullcontext():
                self.result = func(self, *args, **kwargs)
            self.succeeded = True
        except BaseException as exc:  # noqa: BLE001 - every failure reaches the user as one line
            self.error = error_message(exc)
        finally:
            self._ended.set()


class JobRunner(QObject):
    """One job at a time. ``busy_changed(bool)``; ``failed(message)`` when a job raised.

    ``behind``: a runner whose job holds this one up too (the window's model loading, which the
    workspaces' jobs wait for): while it runs, this runner is busy and starts nothing.
    """

    busy_changed = Signal(bool)
    failed = Signal(str)
    message = Signal(str)

    def __init__(self, parent=None, *, behind: JobRunner | None = None):
        super().__init__(parent)
        self.job: Job | None = None
        self.behind = behind
        if behind is not None:
            behind.busy_changed.connect(lambda _busy: self.busy_changed.emit(self.busy()))

    def busy(self) -> bool:
        """Whether a job runs here, or in the runner this one is behind."""
        return self.job is not None or (self.behind is not None and self.behind.busy())

    def start(self, job: Job, message: str, on_done: Callable[[Any], None] | None = None) -> bool:
        """Start ``job`` unless another runs (then say so and return False).

        ``on_done(result)`` runs on the GUI thread once the job has succeeded and
        the runner is idle again, so it may start the next job.
        """
        if self.busy():
            self.message.emit("busy: wait for the current job or cancel it first")
            return False
        self.job = job
        job.finished.connect(lambda: self._on_finished(job, on_done))
        self.busy_changed.emit(True)
        self.message.emit(message)
        job.start()
        return True

    def cancel(self) -> None:
        """Ask the running job, if any, to stop."""
        if self.job is not None:
            self.job.cancel()

    def shutdown(self) -> None:
        """Cancel the running job and wait for its thread to leave the function (closing the window)."""
        if self.job is not None:
            self.job.cancel()
            self.job.wait()
            self.job = None  # its finished signal may arrive after the window is gone: nothing to do then

    def _on_finished(self, job: Job, on_done) -> None:
        if job is not self.job:
            return
        self.job = None
        self.busy_changed.emit(False)
        self.message.emit("")
        if job.error is not None:
            self.failed.emit(job.error)
        elif on_done is not None:
            on_done(job.result)
