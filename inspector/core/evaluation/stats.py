"""Proportions with confidence intervals, and quantiles of per-image norms."""

from __future__ import annotations

import math

#: The normal quantile of a two-sided 95 % interval.
Z95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (Wilson 1927, JASA 22:209).

    With p = successes / n:
        centre = (p + z^2 / 2n) / (1 + z^2 / n)
        half   = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)

    Returns (low, high) in [0, 1]; (0, 1) when n is 0.

    Raises:
        ValueError: successes outside 0..n.
    """
    if not 0 <= successes <= n:
        raise ValueError(f"successes {successes} outside 0..{n}")
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    # at p = 0 and p = 1 the bound is exactly 0 or 1; rounding would leave it a hair inside
    return (0.0 if successes == 0 else max(0.0, centre - half)), (1.0 if successes == n else min(1.0, centre + half))


def quantiles(values: list[float], levels: tuple[float, ...] = (0.1, 0.25, 0.5, 0.75, 0.9)) -> dict[str, float]:
    """Quantiles of ``values`` (inf allowed: an attack that failed), by linear interpolation.

    Returns ``{"q10": ..., "q50": ...}``; nan for each when ``values`` is empty.
    """
    ordered = sorted(values)
    out = {}
    for level in levels:
        key = f"q{round(level * 100)}"
        if not ordered:
            out[key] = math.nan
            continue
        position = level * (len(ordered) - 1)
        low, high = math.floor(position), math.ceil(position)
        a, b = ordered[low], ordered[high]
        out[key] = a if low == high or a == b else a + (b - a) * (position - low)
    return out


def median(values: list[float]) -> float:
    """The median of ``values``; nan when empty."""
    return quantiles(values, (0.5,))["q50"]
