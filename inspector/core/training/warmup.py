"""The budget of adversarial training's inner maximisation, and its warm-up: eps grows linearly
from 0 over the first epochs."""

from __future__ import annotations

from dataclasses import dataclass


def ramped_eps(eps: float, warmup: float, progress: float) -> float:
    """The budget after ``progress`` epochs (2.5: half-way through the third) when it reaches ``eps``
    (in [0, 1] pixel units) linearly over ``warmup`` epochs; ``warmup`` <= 0: ``eps`` from the start."""
    return eps if warmup <= 0 else eps * min(1.0, progress / warmup)


@dataclass
class InnerBudget:
    """The Linf budget and PGD schedule of an adversarial training loss's inner maximisation.

    Attributes:
        eps: Linf budget in [0, 1] pixel units (0.3 = 76.5 grey levels, as Madry et al. on MNIST).
        steps: PGD iterations of the inner maximisation.
        step_size: PGD step in [0, 1] pixel units; None: 2.5 * eps / steps (Madry et al.'s rule).
        warmup: epochs over which eps grows linearly from 0 to ``eps``.
    """

    eps: float = 0.3
    steps: int = 10
    step_size: float | None = None
    warmup: float = 0.0

    def eps_at(self, progress: float) -> float:
        """The budget used after ``progress`` epochs of training."""
        return ramped_eps(self.eps, self.warmup, progress)

    def step_for(self, eps: float) -> float:
        """The PGD step for budget ``eps``: ``step_size``, else 2.5 * eps / steps."""
        return self.step_size if self.step_size is not None else 2.5 * eps / self.steps
