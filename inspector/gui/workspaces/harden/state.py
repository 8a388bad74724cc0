"""The Harden workspace's view state in plain, evented Python (no Qt).

The setup panel writes the user's choices; the workspace listens to ``state.events.scores``
(one :class:`~inspector.core.training.hardening.EpochScore` per finished epoch) and
``state.events.report`` (the finished run) and redraws. Lists and dicts are replaced, never
changed in place, so every change is an event.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from psygnal import evented

from inspector.core.training.hardening import EpochScore, HardenReport

#: Where the hardened models and the checkpoints of interrupted runs go.
DEFAULT_FOLDER = str(Path(tempfile.gettempdir()) / "inspector-harden")


@evented
@dataclass
class HardenState:
    """Everything the Harden workspace shows, apart from the widgets that show it.

    Attributes:
        method: a hardening method's name; ``params`` the parameters the user set (the others keep
            their defaults; eps untouched is set by the data: 0.3 for grey digits, 8/255 for RGB).
        data: ``mnist-train`` or a folder of labelled images.
        folder: where the hardened model, its card and the checkpoint go; the same settings again resume.
        scores: this run's epochs, in order; ``report`` the last finished (or stopped) run.
    """

    method: str = "pgd-at"
    params: dict = field(default_factory=dict)
    data: str = "mnist-train"
    folder: str = DEFAULT_FOLDER
    scores: list[EpochScore] = field(default_factory=list)
    report: HardenReport | None = None
