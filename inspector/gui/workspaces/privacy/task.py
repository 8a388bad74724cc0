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


class TaskForm(QWidget):
    """A task's settings widget, writing into its part of the :class:`PrivacyState`."""

    def __init__(self, state: PrivacyState, parent=None):
        super().__init__(parent)
        self.state = state

    def show_state(self) -> None:
        """Show the state's settings again (after they changed under the form: an opened run)."""
        raise NotImplementedError


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
        form: ``form(state)``: the task's :class:`TaskForm`.
        view: ``view()``: its :class:`ResultView`.
        run: ``run(job, state)`` on the worker thread: the result. It reports
            :class:`Progress` (and partial results, as ``("partial", result)``) with
            ``job.report`` and stops when ``job.cancelled()``, keeping what it finished.
        figure: ``figure(result)``: the PNG figure for slides.
        to_dict: ``to_dict(result)``: the JSON that reproduces the run (with a ``recipe``).
        use: ``use(state, config)``: take the settings of a saved run's configuration (the
            :class:`~inspector.core.replay.PrivacySource` of this task), victim included.
    """

    name: str
    title: str
    description: str
    form: Callable[[PrivacyState], TaskForm]
    view: Callable[[], ResultView]
    run: Callable[[Job, PrivacyState], Any]
    figure: Callable[[Any], Image.Image]
    to_dict: Callable[[Any], dict]
    use: Callable[[PrivacyState, Any], None]
