"""The Training-time workspace's view state in plain, evented Python (no Qt).

The setup panel writes the user's choices; the workspace listens to
``state.events.runs`` (finished trainings), ``state.events.cleanse`` (the
Neural Cleanse result) and ``state.events.verdicts`` (the detectors) and
redraws. Lists are replaced, never changed in place, so every change is an event.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from psygnal import evented

from inspector.core.poisoning.badnets import parse_rate
from inspector.core.poisoning.neural_cleanse import CleanseResult
from inspector.core.poisoning.train import BackdoorConfig

#: Where checkpoints of interrupted trainings wait to be resumed.
DEFAULT_FOLDER = str(Path(tempfile.gettempdir()) / "inspector-poisoning")


@evented
@dataclass
class TrainingTimeState:
    """Everything the Training-time workspace shows, apart from the widgets that show it.

    Attributes:
        attack: ``badnets`` or ``clean-label``; trigger ``pixel``, ``patch`` or ``blend``.
        target: the target class; ``rates`` poison rates as typed (``"0.5%, 1%"``: one training each).
        epochs: training epochs (6: the mnist-standard recipe).
        folder: where checkpoints are kept; training the same settings again resumes from them.
        runs: the finished trainings' reports (dicts as ``BackdoorReport.to_dict``), in order.
        cleanse: the last Neural Cleanse result, and ``cleanse_model`` what it scanned.
        verdicts: the detectors' lines for the last trained model.
    """

    attack: str = "badnets"
    trigger: str = "pixel"
    target: int = 0
    rates: str = "1%"
    epochs: int = 6
    folder: str = DEFAULT_FOLDER
    runs: list[dict] = field(default_factory=list)
    cleanse: CleanseResult | None = None
    cleanse_model: str = ""
    verdicts: list[str] = field(default_factory=list)

    def configs(self) -> list[BackdoorConfig]:
        """One configuration per typed rate.

        Raises:
            ParameterError: a rate that is not a number, 0 or above 100 %, or another bad setting.
        """
        configs = [
            BackdoorConfig(
                attack=self.attack, trigger=self.trigger, target=self.target, rate=parse_rate(text), epochs=self.epochs
            )
            for text in self.rates.split(",")
            if text.strip()
        ]
        for config in configs:
            config.check()
        return configs

    def checkpoint(self, config: BackdoorConfig) -> Path:
        """The checkpoint file of ``config`` in :attr:`folder`."""
        return (
            Path(self.folder)
            / f"{config.attack}-{config.trigger}-t{config.target}-r{config.rate:g}-e{config.epochs}.ckpt"
        )
