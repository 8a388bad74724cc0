"""Numbers in the words and units a stakeholder reads, shared by the command line and the app.

Budgets and norms are computed in [0, 1] pixel units; people quote an Linf budget in grey
levels of 255 ("4/255"), an L2 distance with its unit, and an L0 count against the image's
size. Counts take the singular or the plural of their noun. Plain Python, no Qt, no torch.
"""

from __future__ import annotations

#: Grey levels per unit of [0, 1] pixel values (8-bit images).
GREY_LEVELS = 255


def grey_levels(value: float) -> str:
    """A [0, 1] pixel value in grey levels of 255, to a tenth: ``4/255`` -> ``"4/255"``,
    ``0.3`` -> ``"76.5/255"``, ``0.5/255`` -> ``"0.5/255"``."""
    levels = f"{value * GREY_LEVELS:.1f}".removesuffix(".0")
    return f"{levels}/{GREY_LEVELS}"


def budget_text(eps: float, norm: str) -> str:
    """A budget ``eps`` in [0, 1] pixel units under ``norm``: grey levels for ``"linf"`` (``"4/255"``),
    the number itself for ``"l2"`` (``"0.5"``)."""
    return grey_levels(eps) if norm == "linf" else f"{eps:g}"


def linf_text(value: float) -> str:
    """An Linf norm or budget in [0, 1] pixel units, as ``"Linf 4/255"``."""
    return f"Linf {grey_levels(value)}"


def l2_text(value: float) -> str:
    """An L2 norm in [0, 1] pixel units, with its unit: ``"L2 4.05 in [0, 1] pixel units"``."""
    return f"L2 {value:.2f} in [0, 1] pixel units"


def l0_text(changed: int, total: int) -> str:
    """An L0 norm against the image's size: ``"134,934 of 150,528 values changed"`` (a value is
    one channel of one pixel)."""
    return f"{changed:,} of {plural(total, 'value')} changed"


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """``count`` and its noun, singular for exactly one: ``"1 gradient"``, ``"10 gradients"``,
    ``"1,200 queries"`` (with ``nouns`` for a plural other than ``noun + "s"``)."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"
