"""The Privacy workspace's view state in plain, evented Python (no Qt).

The forms write the user's choices into it; the workspace listens to
``state.events.result`` and ``state.events.task`` and redraws. What each
privacy task does with the choices is in :mod:`inspector.gui.workspaces.privacy.tasks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from psygnal import evented


@evented
@dataclass
class PrivacyState:
    """Everything the Privacy workspace shows, apart from the widgets that show it.

    Attributes:
        task: the privacy task's name (``"stealing"``, ``"inversion"``, ...).
        victim: the attacked model: a built-in MNIST model name.
        method: the stealing method (``copycat``, ``knockoff-random``, ``knockoff-adaptive``).
        budgets: the query budgets as typed, comma-separated (``"250, 1000"``).
        labels_only: the oracle returns the top-1 label only.
        epochs: training epochs per budget; None: the schedule of the core.
        max_iterations: MI-Face's alpha.
        copies_folder: where each stealing run makes its own new folder for the copies; None: the
            system's temporary folder.
        membership_attack: ``loss``, ``lira-offline``, ``lira-online`` or ``label-only``.
        membership_params: the membership attack's parameters set in the form, by name (LiRA's
            ``references``, label-only's ``queries``); the others keep their defaults.
        result: the last (partial while running) result of the current task, or None.
    """

    task: str = "stealing"
    victim: str = "mnist-standard"
    method: str = "knockoff-random"
    budgets: str = "250, 1000, 2000, 5000"
    labels_only: bool = False
    epochs: int | None = None
    max_iterations: int = 1000
    copies_folder: str | None = None
    membership_attack: str = "loss"
    membership_params: dict[str, Any] = field(default_factory=dict)
    result: Any = None
