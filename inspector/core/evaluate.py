"""Accuracy of a classifier on a labelled batch, clean and under attack."""

from __future__ import annotations

import torch

from inspector.core.attacks.base import Attack


def robust_accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, attack: Attack | None = None,
                    *, batch_size: int = 500) -> float:
    """Fraction of (x, y) classified correctly after ``attack`` (None: clean accuracy).

    x (N, C, H, W) in [0, 1], y (N,) labels. An image misclassified before the
    attack counts as not robust. The adversarials are the attack's 8-bit
    quantised ones, so the figure is what saved PNGs would give.
    """
    correct = 0
    for i in range(0, len(x), batch_size):
        xb, yb = x[i:i + batch_size], y[i:i + batch_size]
        with torch.no_grad():
            clean_ok = model(xb).argmax(1) == yb
        if attack is None:
            correct += int(clean_ok.sum())
            continue
        result = attack.run(model, xb, yb)
        correct += int((clean_ok & (result.logits.argmax(1) == yb)).sum())
    return correct / len(x)
