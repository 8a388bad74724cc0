"""The Privacy workspace's view state in plain, evented Python (no Qt).

The forms write the user's choices into it; the workspace listens to
``state.events.result`` and ``state.events.task`` and redraws. Each task keeps its
choices in its own object (``state.stealing``, ``state.inversion``, ``state.membership``),
whose ``param()`` fields the forms are built from; what each task does with them is in
:mod:`inspector.gui.workspaces.privacy.tasks`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from psygnal import evented

from inspector.core.privacy.inversion import MIFace
from inspector.core.privacy.stealing_methods import STEALING_METHODS
from inspector.core.util.bounds import MAX_EPOCHS
from inspector.core.util.params import param


@dataclass
class StealingSettings:
    """The model-stealing task's choices (:class:`~inspector.core.privacy.stealing.StealConfig` less the victim).

    Attributes:
        method: a name in :data:`~inspector.core.privacy.stealing_methods.STEALING_METHODS`.
        budgets: the query budgets as typed, comma-separated (``"250, 1000"``).
        labels_only: the oracle returns the top-1 label only.
        epochs: training epochs per budget; 0: the schedule of the core.
        copies_folder: where each run makes its own new folder for the copies; None: the system's
            temporary folder.
    """

    method: str = param(
        "knockoff-random",
        "How the queried images are chosen and what the copy learns from the answers",
        choices=tuple(STEALING_METHODS),
    )
    budgets: str = param(
        "250, 1000, 2000, 5000", "Query budgets, comma-separated; nested: the run makes as many queries as the largest"
    )
    labels_only: bool = param(False, "The oracle hides the probabilities and returns the top-1 label")
    epochs: int = param(
        0, "Training epochs of the copy at each budget (0: about 6,000 images)", minimum=0, maximum=MAX_EPOCHS
    )
    copies_folder: str | None = None


@dataclass
class MembershipSettings:
    """The membership-inference task's choices.

    Attributes:
        attack: ``loss``, ``lira-offline``, ``lira-online`` or ``label-only``.
        params: the attack's parameters set in the form, by name (LiRA's ``references``,
            label-only's ``queries``); the others keep their defaults.
    """

    attack: str = "loss"
    params: dict[str, Any] = field(default_factory=dict)


@evented
@dataclass
class PrivacyState:
    """Everything the Privacy workspace shows, apart from the widgets that show it.

    Attributes:
        task: the privacy task's name (``"stealing"``, ``"inversion"``, ``"membership"``).
        victim: the attacked model: a built-in MNIST model name.
        stealing, inversion, membership: each task's choices; inversion's are MI-Face's settings.
        result: the last (partial while running) result of the current task, or None.
    """

    task: str = "stealing"
    victim: str = "mnist-standard"
    stealing: StealingSettings = field(default_factory=StealingSettings)
    inversion: MIFace = field(default_factory=MIFace)
    membership: MembershipSettings = field(default_factory=MembershipSettings)
    result: Any = None
