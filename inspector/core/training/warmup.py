"""The budget warm-up of adversarial training: eps grows linearly from 0 over the first epochs."""

from __future__ import annotations


def ramped_eps(eps: float, warmup: float, progress: float) -> float:
    """The budget after ``progress`` epochs (2.5: half-way through the third) when it reaches ``eps``
    (in [0, 1] pixel units) linearly over ``warmup`` epochs; ``warmup`` <= 0: ``eps`` from the start."""
    return eps if warmup <= 0 else eps * min(1.0, progress / warmup)
