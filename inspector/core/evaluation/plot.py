"""The robust-accuracy-versus-budget plot, drawn with Pillow (no plotting library needed)."""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import pairwise

from PIL import Image, ImageDraw, ImageFont

from inspector.core.evaluation.result import WORST_CASE

WIDTH, HEIGHT = 900, 460
LEFT, RIGHT, TOP, BOTTOM = 70, 250, 20, 60
COLOURS = [
    (31, 119, 180),
    (214, 39, 40),
    (44, 160, 44),
    (148, 103, 189),
    (255, 127, 14),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
]
DASHES = {"none": None, "defended": (8, 5), "adaptive": (2, 4)}


def eps_label(eps: float) -> str:
    """``%g`` where short, else grey levels in halves as ``8/255`` or ``0.5/255``."""
    short = f"{eps:g}"
    grey = eps * 255
    if len(short) <= 5 or abs(grey * 2 - round(grey * 2)) > 1e-6:
        return short
    return f"{round(grey * 2) / 2:g}/255"


def accuracy_axes(
    size: tuple[int, int], margins: tuple[int, int, int, int], ticks: list[tuple[float, str]], x_label: str
) -> tuple[Image.Image, ImageDraw.ImageDraw, ImageFont.FreeTypeFont | ImageFont.ImageFont, Callable, Callable]:
    """A white RGB figure of ``size`` (width, height) px with an accuracy axis (0-100 %, grid lines)
    and an x axis from 0 to the largest of ``ticks`` ((value, label) pairs), framed within ``margins``
    (left, right, top, bottom) px and captioned ``x_label``.

    Returns (figure, draw, font, px, py): ``px`` maps an x value (clipped to the axis) and ``py`` an
    accuracy in [0, 1] to pixel coordinates.
    """
    width, height = size
    left, right, top, bottom = margins
    figure = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(figure)
    font = ImageFont.load_default(size=14)
    x_max = max((value for value, _ in ticks), default=0.0) or 1.0
    px = lambda v: left + (width - left - right) * min(v, x_max) / x_max  # noqa: E731
    py = lambda a: top + (height - top - bottom) * (1 - a)  # noqa: E731
    for level in (0, 0.25, 0.5, 0.75, 1.0):
        draw.line([(left, py(level)), (width - right, py(level))], fill=(225, 225, 225))
        draw.text((left - 8, py(level)), f"{level:.0%}", fill=(60, 60, 60), font=font, anchor="rm")
    for value, label in ticks:
        draw.line([(px(value), height - bottom), (px(value), height - bottom + 5)], fill=(60, 60, 60))
        draw.text((px(value), height - bottom + 8), label, fill=(60, 60, 60), font=font, anchor="mt")
    draw.rectangle([left, top, width - right, height - bottom], outline=(60, 60, 60))
    draw.text(((left + width - right) / 2, height - 18), x_label, fill=(30, 30, 30), font=font, anchor="mm")
    return figure, draw, font, px, py


def _line(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], colour, dash, width: int = 3) -> None:
    for (x0, y0), (x1, y1) in pairwise(points):
        if dash is None:
            draw.line([(x0, y0), (x1, y1)], fill=colour, width=width)
            continue
        length = math.hypot(x1 - x0, y1 - y0)
        on, off = dash
        t = 0.0
        while t < length:
            a, b = t / length, min(t + on, length) / length
            draw.line(
                [(x0 + a * (x1 - x0), y0 + a * (y1 - y0)), (x0 + b * (x1 - x0), y0 + b * (y1 - y0))],
                fill=colour,
                width=width,
            )
            t += on + off


def robustness_plot(robust: list[dict], minimal: list[dict], norm: str) -> Image.Image:
    """Robust accuracy (%) against eps: one line per setting and attack, 95 % CIs as whiskers;
    minimal-norm attacks as step curves from the norms they needed (``minimal`` rows with ``needed``).

    ``robust`` and ``minimal`` are :class:`EvaluationResult` rows.
    Returns an RGB image WIDTH x HEIGHT.
    """
    eps_values = sorted({r["eps"] for r in robust}) or [0.0]
    x_max = eps_values[-1] or 1.0
    figure, draw, font, px, py = accuracy_axes(
        (WIDTH, HEIGHT),
        (LEFT, RIGHT, TOP, BOTTOM),
        [(e, eps_label(e)) for e in eps_values],
        f"budget eps ({norm}, pixel values in [0, 1])",
    )
    # the worst case first, wide and black, so that the single attacks stay visible on top of it
    series = sorted(
        {(r["setting"], r["attack"]) for r in robust},
        key=lambda s: (s[1] != WORST_CASE, list(DASHES).index(s[0]), s[1]),
    )
    attacks = sorted({a for _, a in series if a != WORST_CASE})
    legend_y = TOP + 6
    for setting, attack in series:
        worst = attack == WORST_CASE
        colour = (0, 0, 0) if worst else COLOURS[attacks.index(attack) % len(COLOURS)]
        width = 6 if worst else 3
        rows = sorted((r for r in robust if (r["setting"], r["attack"]) == (setting, attack)), key=lambda r: r["eps"])
        curve = next((m for m in minimal if (m["setting"], m["attack"]) == (setting, attack)), None)
        if curve is not None and rows and rows[0]["n"]:
            points = _minimal_curve(curve, rows[0]["accuracy"], rows[0]["n"], x_max)
            _line(draw, [(px(e), py(a)) for e, a in points], colour, DASHES[setting], width)
        else:
            _line(draw, [(px(r["eps"]), py(r["accuracy"])) for r in rows], colour, DASHES[setting], width)
        for r in rows:
            x = px(r["eps"])
            draw.line([(x, py(r["ci"][0])), (x, py(r["ci"][1]))], fill=colour, width=1)
            draw.ellipse([x - 3, py(r["accuracy"]) - 3, x + 3, py(r["accuracy"]) + 3], fill=colour)
        _line(
            draw,
            [(WIDTH - RIGHT + 15, legend_y + 7), (WIDTH - RIGHT + 45, legend_y + 7)],
            colour,
            DASHES[setting],
            width,
        )
        label = attack if setting == "none" else f"{attack}, {setting}"
        draw.text((WIDTH - RIGHT + 52, legend_y), label, fill=(30, 30, 30), font=font)
        legend_y += 22
    return figure


def _minimal_curve(row: dict, clean: float, images: int, x_max: float) -> list[tuple[float, float]]:
    """Steps of the robust accuracy of a minimal-norm attack: each needed norm fools one more image."""
    points, accuracy = [(0.0, clean)], clean
    for norm in row["needed"]:
        if norm > x_max:
            break
        points.append((norm, accuracy))
        accuracy -= 1 / images
        points.append((norm, accuracy))
    points.append((x_max, accuracy))
    return points
