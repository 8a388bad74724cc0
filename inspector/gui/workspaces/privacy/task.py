"""A privacy task of the Privacy workspace: what it asks for, how it runs, how it is shown and exported.

Adding a task (membership inference, ...) is one :class:`PrivacyTask` in its own
module and one line in :mod:`inspector.gui.workspaces.privacy.tasks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PIL import Image
from PySide6.QtWidgets import QWidget

from inspector.gui.jobs import Job
from inspector.gui.workspaces.privacy.state import PrivacyState


class ResultView(QWidget):
    """The picture of a task's result. ``show_result(None)`` clears it; ``show_running(text)``
    says, where nothing is shown yet, that a run is under way (``text``: what it does now)."""

    def show_result(self, result: Any) -> None:
        raise NotImplementedError

    def show_running(self, text: str) -> None:
        """A run is under way; by default the view shows nothing of it."""


@dataclass(frozen=True)
class Progress:
    """A progress report for the bar: ``done`` of ``total`` steps, and a line saying what runs."""

    done: int
    total: int
    text: str


@dataclass(frozen=True)
class PrivacyTask:
    """One entry of the attack picker.

    Attributes:
        name, title: the key in :class:`PrivacyState` and the text shown.
        description: one paragraph with the paper, shown under the picker.
        form: ``form(state)``: the task's settings widget, writing into the state.
        view: ``view()``: its :class:`ResultView`.
        run: ``run(job, state)`` on the worker thread: the result. It reports
            :class:`Progress` (and partial results, as ``("partial", result)``) with
            ``job.report`` and stops when ``job.cancelled()``, keeping what it finished.
        figure: ``figure(result)``: the PNG figure for slides.
        to_dict: ``to_dict(result)``: the JSON that reproduces the run (with a ``recipe``).
    """

    name: str
    title: str
    description: str
    form: Callable[[PrivacyState], QWidget]
    view: Callable[[], ResultView]
    run: Callable[[Job, PrivacyState], Any]
    figure: Callable[[Any], Image.Image]
    to_dict: Callable[[Any], dict]
