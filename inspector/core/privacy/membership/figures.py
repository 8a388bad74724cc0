"""The membership result as pictures, drawn with Pillow: the ROC curve on log-log axes with
the operating point at 1 % FPR, and the most exposed training digits."""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from inspector.core.io.image import to_pil
from inspector.core.privacy.membership.run import FPR, MembershipResult

WIDTH, HEIGHT = 640, 560
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 50, 60
BLUE, GREY, RED, INK = (31, 119, 180), (150, 150, 150), (214, 39, 40), (20, 20, 20)
DIGIT = 112  # exposed digits, 28 pixels upscaled 4x (nearest neighbour)


def _font(size: int):
    try:
        return ImageFont.load_default(size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def summary(result: MembershipResult) -> str:
    """``AUC 0.478 [0.460, 0.496], TPR 0.6 % [0.3, 1.4] at 1 % FPR`` (or why the TPR is not measured)."""
    a = result.auc
    text = f"AUC {a.value:.3f} [{a.low:.3f}, {a.high:.3f}]"
    if result.tpr is None:
        return text + f", TPR at {FPR:.0%} FPR not measurable ({result.non_members} non-members)"
    t = result.tpr
    return text + f", TPR {t.value:.1%} [{t.low:.1%}, {t.high:.1%}] at {FPR:.0%} FPR"


def roc_figure(result: MembershipResult) -> Image.Image:
    """The ROC curve, FPR and TPR both on log axes from 1/n (n non-members) to 1, the chance
    diagonal dashed, and the operating point at 1 % FPR circled in red."""
    img = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(img)
    font, small = _font(14), _font(12)
    low = 10 ** math.floor(math.log10(1 / max(result.non_members, 1)))
    w, h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def at(fpr: float, tpr: float) -> tuple[float, float]:
        fx = (math.log10(max(fpr, low)) - math.log10(low)) / -math.log10(low)
        fy = (math.log10(max(tpr, low)) - math.log10(low)) / -math.log10(low)
        return LEFT + fx * w, TOP + (1 - fy) * h

    for e in range(int(math.log10(low)), 1):
        x, _ = at(10.0**e, low)
        _, y = at(low, 10.0**e)
        draw.line([(x, TOP), (x, TOP + h)], fill=(230, 230, 230))
        draw.line([(LEFT, y), (LEFT + w, y)], fill=(230, 230, 230))
        label = f"{10.0**e:g}"
        draw.text((x, TOP + h + 6), label, fill=INK, font=small, anchor="mt")
        draw.text((LEFT - 6, y), label, fill=INK, font=small, anchor="rm")
    draw.rectangle([LEFT, TOP, LEFT + w, TOP + h], outline=INK)
    chance = np.logspace(math.log10(low), 0, 50)
    for a, b in zip(chance[:-1:2], chance[1::2], strict=True):
        draw.line([at(a, a), at(b, b)], fill=GREY, width=2)
    points = [at(f, t) for f, t in zip(result.fpr_curve, result.tpr_curve, strict=True) if f > 0]
    if len(points) > 1:
        draw.line(points, fill=BLUE, width=3)
    if result.tpr is not None:
        x, y = at(FPR, result.tpr.value)
        draw.ellipse([x - 6, y - 6, x + 6, y + 6], outline=RED, width=3)
        draw.text((x + 10, y + 4), f"{result.tpr.value:.1%} at {FPR:.0%} FPR", fill=RED, font=font, anchor="lt")
    config = result.config
    draw.text(
        (LEFT, 10),
        f"{config.model}, {config.attack}: {result.members} members vs {result.non_members} non-members",
        fill=INK,
        font=font,
    )
    draw.text((LEFT, 28), summary(result), fill=INK, font=small)
    draw.text((LEFT + w / 2, HEIGHT - 22), "false positive rate (log)", fill=INK, font=font, anchor="mm")
    axis = Image.new("RGB", (h, 20), "white")
    ImageDraw.Draw(axis).text((h / 2, 10), "true positive rate (log)", fill=INK, font=font, anchor="mm")
    img.paste(axis.rotate(90, expand=True), (8, TOP))
    return img


def exposed_figure(result: MembershipResult, columns: int = 8) -> Image.Image:
    """The most exposed training digits, most exposed first, each with its index, label and risk."""
    n = len(result.exposed)
    rows = max(1, math.ceil(n / columns))
    cell_w, cell_h = DIGIT + 16, DIGIT + 40
    img = Image.new("RGB", (columns * cell_w + 16, rows * cell_h + 40), "white")
    draw = ImageDraw.Draw(img)
    font, small = _font(14), _font(12)
    draw.text(
        (12, 10),
        f"most exposed training digits: {result.config.model}, {result.config.attack} "
        "(risk: share of non-members scoring lower)",
        fill=INK,
        font=font,
    )
    for j, i in enumerate(result.exposed):
        r, c = divmod(j, columns)
        x, y = 16 + c * cell_w, 36 + r * cell_h
        digit = to_pil(result.exposed_images[j]).convert("RGB").resize((DIGIT, DIGIT), Image.Resampling.NEAREST)
        img.paste(digit, (x, y))
        draw.text(
            (x, y + DIGIT + 4), f"#{int(result.index[i])}  label {int(result.exposed_labels[j])}", fill=INK, font=small
        )
        draw.text((x, y + DIGIT + 19), f"risk {result.risk[i]:.4f}", fill=INK, font=small)
    return img
