"""The honest table: a detector's true positive rate on held-out adversarials of the attack it was
trained on and of attacks it never saw, at its calibrated threshold, with Wilson intervals.

Metzen et al. 2017 (arXiv:1702.04267, section 4.3) found their detectors generalise only partly
to other attacks; Carlini and Wagner 2017 (arXiv:1705.07263) found such detectors fail when the
attack changes. An adversarial counts when it fools the model on a test image the model got right;
the rate is the share of those the detector flags. The clean row is the false positive rate on the
same test images, unattacked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from inspector.core.attacks.base import Attack
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.learned_detector.train import adversarials
from inspector.core.models.classifier import Classifier

Scorer = Callable[[torch.Tensor], torch.Tensor]


@dataclass(frozen=True)
class Rate:
    """One row: ``flagged`` of ``count`` images flagged, the rate and its 95 % Wilson interval (low, high).

    ``name``: the attack (``"clean"`` for the false positive row); ``seen``: the detector trained on it;
    ``attacked``: the images attacked (the test images the model got right).
    """

    name: str
    seen: bool
    attacked: int
    count: int
    flagged: int

    @property
    def rate(self) -> float:
        return self.flagged / self.count if self.count else float("nan")

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.flagged, self.count)

    def to_dict(self) -> dict:
        low, high = self.interval
        return {
            "attack": self.name,
            "seen": self.seen,
            "attacked": self.attacked,
            "adversarials": self.count,
            "flagged": self.flagged,
            "rate": self.rate,
            "low": low,
            "high": high,
        }


def flagged(score: Scorer, threshold: float, x: torch.Tensor) -> torch.Tensor:
    """(N,) bool: score above ``threshold`` for x (N, C, H, W), scored in batches without gradient."""
    with torch.no_grad():
        return torch.cat([score(x[i : i + 1024]).cpu() > threshold for i in range(0, len(x), 1024)])


def correct(model: Classifier, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(N,) bool: the model's top-1 on x is y."""
    with torch.no_grad():
        return torch.cat(
            [model(x[i : i + 1024].to(model.device)).argmax(1).cpu() == y[i : i + 1024] for i in range(0, len(y), 1024)]
        )


def detection_rates(
    model: Classifier,
    score: Scorer,
    threshold: float,
    x: torch.Tensor,
    y: torch.Tensor,
    attacks: dict[str, Attack],
    seen: str,
    on_attack: Callable[[str], None] | None = None,
) -> list[Rate]:
    """The clean row, then one row per attack (in order) on test images x (N, C, H, W), labels y (N,).

    ``score(x)`` gives (N,) detector scores, flagged above ``threshold``; ``seen`` names the attack it was
    trained on; ``on_attack(name)`` is called before each attack runs.
    """
    right = correct(model, x, y)
    x, y = x[right], y[right]
    rows = [Rate("clean", False, len(y), len(y), int(flagged(score, threshold, x).sum()))]
    for name, attack in attacks.items():
        if on_attack is not None:
            on_attack(name)
        made = adversarials(model, attack, x, y)
        assert made is not None  # nothing stops it
        x_adv, success = made
        hits = int(flagged(score, threshold, x_adv[success]).sum())
        rows.append(Rate(name, name == seen, len(y), int(success.sum()), hits))
    return rows
