"""Clean and robust accuracy of a network on held-out images, with Wilson 95 % intervals.

Robust accuracy at a Linf budget is the share of images still classified correctly after
PGD (Madry et al. 2018, arXiv:1706.06083) with a random start and step budget / 4.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from inspector.core.attacks.pgd import PGD
from inspector.core.evaluation.stats import wilson_interval

#: Images per attacked batch.
BATCH = 256


@dataclass
class Accuracy:
    """``correct`` of ``total`` images classified correctly at Linf ``budget`` (0: clean), in [0, 1]
    pixel units, under PGD with ``steps`` iterations."""

    budget: float
    steps: int
    correct: int
    total: int

    @property
    def rate(self) -> float:
        return self.correct / self.total

    @property
    def interval(self) -> tuple[float, float]:
        """Wilson 95 % interval of :attr:`rate`."""
        return wilson_interval(self.correct, self.total)

    def as_dict(self) -> dict:
        low, high = self.interval
        return {"budget": self.budget, "steps": self.steps, "rate": self.rate, "low": low, "high": high}


def accuracy(net: nn.Module, x: torch.Tensor, y: torch.Tensor, budget: float, *, steps: int = 20) -> Accuracy:
    """Accuracy of ``net`` (eval mode, pixels in [0, 1]) on x (N, C, H, W), y (N,) under PGD at Linf
    ``budget`` (0: clean, no attack), seeded, so the same network always scores the same."""
    correct = 0
    attack = PGD(eps=budget, step_size=budget / 4, steps=steps, loss="ce", random_start=True, seed=0)
    for start in range(0, len(y), BATCH):
        xb, yb = x[start : start + BATCH], y[start : start + BATCH]
        if budget > 0:
            xb = attack.run(net, xb, yb).x_adv
        with torch.no_grad():
            correct += int((net(xb).argmax(1) == yb).sum())
    return Accuracy(budget, steps if budget > 0 else 0, correct, len(y))
