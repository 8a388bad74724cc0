"""Label-only membership inference by the distance to the decision boundary
(Choquette-Choo, Tramer, Carlini and Papernot 2021, "Label-Only Membership Inference
Attacks", ICML, arXiv:2007.14321, section 4.2).

A model tends to leave its training records farther from the boundary. The attacker sees
the top-1 label only: the distance is the L2 norm of the smallest perturbation that
changes the label, found by HopSkipJump (Chen et al. 2020, arXiv:1904.02144), which
reaches the model only through the label oracle. A misclassified record is at distance 0
(the paper's "gap attack" rule: it is called a non-member).
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from inspector.core.attacks.hopskipjump import HopSkipJump

BATCH = 50


def boundary_distances(
    model,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    max_queries: int,
    seed: int = 0,
    on_progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> torch.Tensor | None:
    """(N,) L2 distance in [0, 1] pixel units from each x (N, 1, 28, 28) to the boundary, 0 where
    the model gets y (N,) wrong; None if stopped. ``on_progress(done, total)`` after each batch.

    The adversarial is HopSkipJump's 8-bit export; a digit it found no adversarial start for
    (within 100 noise draws) gets the largest distance measured in its batch.
    """
    distances = torch.zeros(len(y))
    for start in range(0, len(y), BATCH):
        if should_stop is not None and should_stop():
            return None
        xb, yb = x[start : start + BATCH], y[start : start + BATCH]
        attack = HopSkipJump(norm="l2", max_queries=max_queries, seed=seed + start)
        result = attack.run(model, xb, yb)
        d = (result.x_adv - xb).flatten(1).norm(dim=1).cpu()
        with torch.no_grad():
            correct = (model(xb).argmax(1) == yb).cpu()
        d[~result.success.cpu() & correct] = d.max()
        d[~correct] = 0.0
        distances[start : start + len(yb)] = d
        if on_progress is not None:
            on_progress(min(start + BATCH, len(y)), len(y))
    return distances
