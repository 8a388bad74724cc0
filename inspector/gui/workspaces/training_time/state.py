"""The Training-time workspace's view state in plain, evented Python (no Qt).

The setup panel writes the user's choices; the workspace listens to
``state.events.runs`` (finished trainings), ``state.events.cleanse`` (the
Neural Cleanse result) and ``state.events.verdicts`` (the detectors) and
redraws. Lists are replaced, never changed in place, so every change is an event.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from psygnal import evented

from inspector.core.poisoning.attack import parse_rate
from inspector.core.poisoning.attacks import POISONING_ATTACKS
from inspector.core.poisoning.neural_cleanse import CleanseResult
from inspector.core.poisoning.train import BackdoorConfig

#: Where checkpoints of interrupted trainings wait to be resumed.
DEFAULT_FOLDER = str(Path(tempfile.gettempdir()) / "inspector-poisoning")


@evented
@dataclass
class TrainingTimeState:
    """Everything the Training-time workspace shows, apart from the widgets that show it.

    Attributes:
        attack: a name in :data:`~inspector.core.poisoning.attacks.POISONING_ATTACKS`.
        attack_params: the attack parameters set in the form, by name (trigger, target, ...; the
            others keep their defaults); replaced on each edit. Kept across attacks: each takes its own.
        rates: poison rates as typed (``"0.5%, 1%"``: one training each), the attack's ``rate``.
        epochs: training epochs (6: the mnist-standard recipe).
        folder: where checkpoints are kept; training the same settings again resumes from them.
        runs: the finished trainings' reports (dicts as ``BackdoorReport.to_dict``), in order.
        cleanse: the last Neural Cleanse result, and ``cleanse_model`` what it scanned.
        verdicts: the detectors' lines for the last trained model.
    """

    attack: str = "badnets"
    attack_params: dict = field(default_factory=dict)
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
        own = {spec.name for spec in POISONING_ATTACKS[self.attack].params()} - {"rate"}
        values = {name: value for name, value in self.attack_params.items() if name in own}
        configs = [
            BackdoorConfig(POISONING_ATTACKS.make(self.attack, values | {"rate": parse_rate(text)}), epochs=self.epochs)
            for text in self.rates.split(",")
            if text.strip()
        ]
        for config in configs:
            config.check()
        return configs

    def checkpoint(self, config: BackdoorConfig) -> Path:
        """The checkpoint file of ``config`` in :attr:`folder`: named by its main settings, and a digest of
        all of them (two clean-label budgets do not share a checkpoint)."""
        a = config.attack
        digest = hashlib.sha256(config.stage().encode()).hexdigest()[:8]
        return Path(self.folder) / f"{a.name}-{a.trigger}-t{a.target}-r{a.rate:g}-e{config.epochs}-{digest}.ckpt"
