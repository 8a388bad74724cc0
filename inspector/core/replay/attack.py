"""Replaying one attack run and comparing its adversarial with the saved one, byte for byte."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from inspector.core.attacks.base import StepCallback, StopCheck
from inspector.core.evasion.inspect import Inspection, inspect
from inspector.core.io.image import load_image, to_pil
from inspector.core.models.classifier import Classifier
from inspector.core.replay.source import AttackSource
from inspector.core.util.messages import show_path


@dataclass
class AttackReplay:
    """The replayed run and how its adversarial compares with the saved one.

    Attributes:
        inspection: the replayed run.
        saved: the saved adversarial.png compared with; None: there was none.
        values: 8-bit values compared (C*H*W); ``differing`` of them differ, by at most
            ``max_difference`` grey levels (of 255). A different size counts every value.
    """

    inspection: Inspection
    saved: Path | None
    values: int = 0
    differing: int = 0
    max_difference: int = 0

    @property
    def matched(self) -> bool | None:
        """True: the same bytes; False: they differ; None: nothing saved to compare with."""
        return None if self.saved is None else self.differing == 0

    def describe(self) -> str:
        """One line saying how the replay compares."""
        if self.saved is None:
            return "no saved adversarial.png beside the recipe to compare with"
        if self.matched:
            return f"the adversarial's bytes match {show_path(self.saved)} ({self.values} values)"
        return (
            f"the replay differs from {show_path(self.saved)}: {self.differing} of {self.values} values "
            f"(by up to {self.max_difference}/255); a run replays exactly only on the same device "
            "with the same versions"
        )


def replay_attack(
    source: AttackSource,
    *,
    model: Classifier | None = None,
    on_step: StepCallback | None = None,
    should_stop: StopCheck | None = None,
) -> AttackReplay:
    """Run ``source``'s recipe again (with its recorded thread count) and compare the adversarials.

    Raises:
        ImageError: the recipe's image or the saved adversarial cannot be read.
        ModelError, DeviceError, ParameterError, ClassNameError: as :func:`~inspector.core.evasion.inspect.inspect`.
    """
    inspection = inspect(source.recipe, model=model, on_step=on_step, should_stop=should_stop)
    replay = AttackReplay(inspection, source.adversarial)
    if source.adversarial is not None:
        made = np.asarray(to_pil(inspection.x_adv), dtype=np.int16)
        saved = np.asarray(load_image(source.adversarial, channels=inspection.model.channels), dtype=np.int16)
        replay.values = made.size
        if saved.shape != made.shape:
            replay.differing, replay.max_difference = made.size, 255
        else:
            diff = np.abs(made - saved)
            replay.differing, replay.max_difference = int((diff > 0).sum()), int(diff.max(initial=0))
    return replay
