"""How far an attribution map moved between two images: what the model looked at before and after.

Both figures read the maps' magnitudes (|map|), as a sign says for or against a class, and the two
maps may explain different classes.
"""

from __future__ import annotations

import torch


def rank_correlation(a: torch.Tensor, b: torch.Tensor) -> float:
    """Spearman's rank correlation of |a| and |b|, two maps of the same shape, in [-1, 1]:
    1 where they order the pixels alike; 0 where one map is constant (no order to compare).
    Tied values share their average rank (scipy's ``spearmanr``), so the many zeros of a
    Grad-CAM map count as one tie, not as an order.

    Raises:
        ValueError: the shapes differ.
    """
    if a.shape != b.shape:
        raise ValueError(f"maps of shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be compared")
    if a.abs().max() == a.abs().min() or b.abs().max() == b.abs().min():
        return 0.0
    from scipy.stats import spearmanr

    rho = spearmanr(a.abs().flatten().double().cpu().numpy(), b.abs().flatten().double().cpu().numpy())
    return float(rho.statistic)


def mass_moved(a: torch.Tensor, b: torch.Tensor) -> float:
    """The share of attribution mass that moved: half the L1 distance between |a| and |b|, each
    normalised to sum 1 (the total-variation distance), in [0, 1]: 0 for maps of the same shape
    up to scale, 1 where they share no pixel. A map of zeros counts as spread evenly.

    Raises:
        ValueError: the shapes differ.
    """
    if a.shape != b.shape:
        raise ValueError(f"maps of shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be compared")
    return float(0.5 * (_share(a) - _share(b)).abs().sum())


def _share(m: torch.Tensor) -> torch.Tensor:
    """|m| as shares of its sum (float64), or even shares where it sums to 0."""
    mass = m.abs().double().cpu()
    total = mass.sum()
    return mass / total if total > 0 else torch.full_like(mass, 1.0 / mass.numel())
