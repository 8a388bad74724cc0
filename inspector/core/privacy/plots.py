"""Figures of the privacy attacks, drawn with Pillow: the agreement curve and the inversion grid."""

from __future__ import annotations

import math
from itertools import pairwise

import torch
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1000, 480
LEFT, RIGHT, TOP, BOTTOM = 70, 370, 40, 60
COLOURS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (255, 127, 14), (140, 86, 75)]
#: ART's MNIST model-stealing demonstration, as the issue quotes it: (queries, low, high) agreement.
ART_REFERENCE = ((1000, 0.65, 0.74), (4000, 0.89, 0.91), (5000, 0.89, 0.91))


def run_label(result: dict) -> str:
    """``knockoff-random, probabilities`` from a result dict's config."""
    config = result["config"]
    return f"{config['method']}, {'labels only' if config['output'] == 'label' else 'probabilities'}"


def agreement_plot(results: list[dict], title: str = "agreement with the victim vs queries") -> Image.Image:
    """Agreement (solid, with its 95 % interval as a bar) and accuracy (dashed) of each run's copy vs queries.

    ``results``: :meth:`~inspector.core.privacy.stealing.StealResult.to_dict` dicts. The x axis is
    logarithmic; ART's demonstration (agreement 0.65-0.74 at 1k, 0.89-0.91 at 4k-5k) is drawn in grey.
    """
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font, small = ImageFont.load_default(size=15), ImageFont.load_default(size=13)
    budgets = [row["budget"] for r in results for row in r["rows"]] + [1000, 5000]
    lo, hi = math.log10(min(budgets) / 1.3), math.log10(max(budgets) * 1.3)
    lowest = min((row[k]["low"] for r in results for row in r["rows"] for k in ("agreement", "accuracy")), default=0.5)
    y_low = min(0.5, math.floor(lowest * 10) / 10)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(queries: float, value: float) -> tuple[float, float]:
        x = LEFT + (math.log10(queries) - lo) / (hi - lo) * plot_w
        return x, TOP + (1 - (max(value, y_low) - y_low) / (1 - y_low)) * plot_h

    draw.text((LEFT, 10), title, fill=(30, 30, 30), font=font)
    for v in [i / 10 for i in range(round(y_low * 10), 11)]:
        _, y = px(10**lo, v)
        draw.line([(LEFT, y), (LEFT + plot_w, y)], fill=(225, 225, 225))
        draw.text((LEFT - 40, y - 8), f"{v:.0%}", fill=(80, 80, 80), font=small)
    for q in (100, 250, 500, 1000, 2000, 5000, 10000, 20000):
        if lo <= math.log10(q) <= hi:
            x, _ = px(q, y_low)
            draw.line([(x, TOP), (x, TOP + plot_h)], fill=(235, 235, 235))
            draw.text((x - 14, TOP + plot_h + 6), f"{q:,}", fill=(80, 80, 80), font=small)
    draw.rectangle([LEFT, TOP, LEFT + plot_w, TOP + plot_h], outline=(120, 120, 120))
    draw.text((LEFT + plot_w // 2 - 60, HEIGHT - 28), "queries (log scale)", fill=(60, 60, 60), font=small)
    for q, low, high in ART_REFERENCE:
        x0, y0 = px(q / 1.06, high)
        x1, y1 = px(q * 1.06, low)
        draw.rectangle([x0, y0, x1, y1], fill=(200, 200, 200))
    legend = [((170, 170, 170), "ART demo (agreement)", False)]
    for i, result in enumerate(results):
        colour = COLOURS[i % len(COLOURS)]
        rows = sorted(result["rows"], key=lambda r: r["budget"])
        for key, dashed in (("agreement", False), ("accuracy", True)):
            points = [px(r["budget"], r[key]["rate"]) for r in rows]
            _polyline(draw, points, colour, dashed)
            for r, (x, y) in zip(rows, points, strict=True):
                if not dashed:
                    _, top = px(r["budget"], r[key]["high"])
                    _, bottom = px(r["budget"], r[key]["low"])
                    draw.line([(x, top), (x, bottom)], fill=colour, width=2)
                draw.ellipse([x - 4, y - 4, x + 4, y + 4], fill=colour)
        legend += [(colour, f"{run_label(result)}: agreement", False), (colour, "    accuracy", True)]
    for i, (colour, text, dashed) in enumerate(legend):
        y = TOP + 8 + 22 * i
        _polyline(draw, [(LEFT + plot_w + 14, y + 8), (LEFT + plot_w + 44, y + 8)], colour, dashed)
        draw.text((LEFT + plot_w + 52, y), text, fill=(40, 40, 40), font=small)
    return image


def _polyline(draw: ImageDraw.ImageDraw, points: list[tuple[float, float]], colour, dashed: bool) -> None:
    for (x0, y0), (x1, y1) in pairwise(points):
        if not dashed:
            draw.line([(x0, y0), (x1, y1)], fill=colour, width=3)
            continue
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        t = 0.0
        while t < length:
            a, b = t / length, min(t + 7, length) / length
            draw.line(
                [(x0 + a * (x1 - x0), y0 + a * (y1 - y0)), (x0 + b * (x1 - x0), y0 + b * (y1 - y0))],
                fill=colour,
                width=2,
            )
            t += 12


def inversion_grid(rows: list[tuple[str, torch.Tensor, list[str]]], cell: int = 84) -> Image.Image:
    """A grid of reconstructions: one row per model, one column per class.

    ``rows``: (title, images (K, 1, H, W) in [0, 1], a caption per image). Images are
    upscaled with nearest neighbour to ``cell`` pixels.
    """
    k = max(len(images) for _, images, _ in rows)
    title_w, caption_h, margin = 170, 18, 6
    width = title_w + k * (cell + margin) + margin
    height = len(rows) * (cell + caption_h + margin) + margin + 20
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font, small = ImageFont.load_default(size=14), ImageFont.load_default(size=11)
    for c in range(k):
        draw.text((title_w + c * (cell + margin) + cell // 2 - 4, 2), str(c), fill=(60, 60, 60), font=font)
    for r, (title, images, captions) in enumerate(rows):
        top = 20 + margin + r * (cell + caption_h + margin)
        draw.text((6, top + cell // 2 - 8), title, fill=(30, 30, 30), font=font)
        for c, (img, caption) in enumerate(zip(images, captions, strict=True)):
            pixels = (img[0].clamp(0, 1) * 255).round().to(torch.uint8).numpy()
            tile = Image.fromarray(pixels, "L").resize((cell, cell), Image.Resampling.NEAREST)
            left = title_w + c * (cell + margin)
            image.paste(tile.convert("RGB"), (left, top))
            draw.text((left, top + cell + 2), caption, fill=(70, 70, 70), font=small)
    return image
