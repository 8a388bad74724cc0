"""Clean accuracy and attack success rate of a backdoored model, with Wilson 95 % intervals.

Attack success rate (Gu et al. 2017, arXiv:1708.06733): the fraction of
held-out images *not* of the target class that the model classifies as the
target once the trigger is stamped on them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.evaluation.stats import wilson_interval
from inspector.core.poisoning.triggers import Trigger


@dataclass
class Rate:
    """k of n, as a fraction with its Wilson 95 % interval (Wilson 1927)."""

    k: int
    n: int

    @property
    def value(self) -> float:
        return self.k / self.n if self.n else float("nan")

    @property
    def ci(self) -> tuple[float, float]:
        return wilson_interval(self.k, self.n)

    def to_dict(self) -> dict:
        low, high = self.ci
        return {"k": self.k, "n": self.n, "rate": self.value, "ci95": [low, high]}

    def __str__(self) -> str:
        low, high = self.ci
        return f"{100 * self.value:.1f} % [{100 * low:.1f}, {100 * high:.1f}] ({self.k}/{self.n})"


@dataclass
class BackdoorFigures:
    """Clean accuracy on all held-out images; attack success on those not of the target class."""

    clean_accuracy: Rate
    attack_success: Rate

    def to_dict(self) -> dict:
        return {"clean_accuracy": self.clean_accuracy.to_dict(), "attack_success": self.attack_success.to_dict()}


def predict(model: torch.nn.Module, x: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Top-1 labels (N,) of x (N, C, H, W) in [0, 1], in eval mode, without gradients."""
    model.eval()
    with torch.no_grad():
        return torch.cat([model(x[i : i + batch_size]).argmax(1).cpu() for i in range(0, len(x), batch_size)])


def backdoor_figures(
    model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, trigger: Trigger, target: int
) -> BackdoorFigures:
    """Clean accuracy on (x, y) and attack success of ``trigger`` towards ``target``.

    x (N, C, H, W) in [0, 1], held-out images the model did not train on; y (N,) their labels.
    """
    clean = int((predict(model, x) == y).sum())
    others = x[y != target]
    hits = int((predict(model, trigger.apply(others)) == target).sum())
    return BackdoorFigures(Rate(clean, len(y)), Rate(hits, len(others)))
