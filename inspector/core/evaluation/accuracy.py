"""Accuracy of a classifier on a labelled batch, clean and under attack (budgeted or minimal-norm)."""

from __future__ import annotations

import torch

from inspector.core.attacks.base import Attack


def robust_accuracy(
    model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, attack: Attack | None = None, *, batch_size: int = 500
) -> float:
    """Fraction of (x, y) classified correctly after ``attack`` (None: clean accuracy).

    x (N, C, H, W) in [0, 1], y (N,) labels. An image misclassified before the
    attack counts as not robust. The adversarials are the attack's 8-bit
    quantised ones, so the figure is what saved PNGs would give.
    """
    correct = 0
    for i in range(0, len(x), batch_size):
        xb, yb = x[i : i + batch_size], y[i : i + batch_size]
        with torch.no_grad():
            clean_ok = model(xb).argmax(1) == yb
        if attack is None:
            correct += int(clean_ok.sum())
            continue
        result = attack.run(model, xb, yb)
        correct += int((clean_ok & (result.logits.argmax(1) == yb)).sum())
    return correct / len(x)


def minimal_norm_robustness(
    model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, attack: Attack, eps: float, *, batch_size: int = 500
) -> tuple[float, float]:
    """Robust accuracy at an L2 budget under a minimal-norm attack, and the attack's median L2.

    x (N, C, H, W) in [0, 1], y (N,) labels, ``eps`` the L2 budget in [0, 1] pixel
    units. An image counts as robust when it is classified correctly and the attack
    either fails on it or needs an L2 norm above ``eps`` (on its 8-bit adversarial).
    The median L2 is over the images correctly classified and fooled (nan if none).
    """
    robust, batches = 0, []
    for i in range(0, len(x), batch_size):
        xb, yb = x[i : i + batch_size], y[i : i + batch_size]
        with torch.no_grad():
            clean_ok = model(xb).argmax(1) == yb
        result = attack.run(model, xb, yb)
        l2 = (result.x_adv - xb).flatten(1).norm(dim=1)
        fooled = clean_ok & result.success
        robust += int((clean_ok & ~(fooled & (l2 <= eps))).sum())
        batches.append(l2[fooled])
    norms = torch.cat(batches)
    return robust / len(x), float(norms.median()) if norms.numel() else float("nan")
