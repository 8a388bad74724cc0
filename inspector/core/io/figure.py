"""A side-by-side figure for slides: original | perturbation | adversarial, with captions."""

from __future__ import annotations

import torch
from PIL import Image, ImageDraw, ImageFont

from inspector.core.io.image import to_pil
from inspector.core.io.visualize import perturbation_image

PANEL = 336  # panel side in pixels (the 224-pixel input upscaled 1.5x, nearest neighbour)
MARGIN = 16
CAPTION = 64  # height of the caption band under each panel
LINE = 24  # height of a line of the figure's own caption, when it has one


def _caption(top: dict) -> str:
    return f"{top['name']} ({top['probability']:.0%})"


def side_by_side(
    x: torch.Tensor, x_adv: torch.Tensor, original_top: dict, adversarial_top: dict, caption: str | None = None
) -> Image.Image:
    """Render the three images with their labels into one RGB picture.

    Args:
        x, x_adv: (1, C, H, W) in [0, 1], the original and the adversarial.
        original_top, adversarial_top: the top-1 ``{index, name, probability}`` of each.
        caption: one line under the panels (what was run: model, attack, budget, defence); None: none.

    Returns:
        An RGB image of width 3 * PANEL + 4 * MARGIN (and LINE pixels higher per line of the caption,
        which wraps at spaces);
        panels are upscaled with nearest neighbour so single-pixel changes stay visible.
    """
    perturbation, scale = perturbation_image(x, x_adv)
    panels = [
        (to_pil(x).convert("RGB"), "original", _caption(original_top)),
        (perturbation, "perturbation (amplified)", f"full colour = \u00b1{scale:.0f} grey levels"),
        (to_pil(x_adv).convert("RGB"), "adversarial", _caption(adversarial_top)),
    ]
    width = 3 * PANEL + 4 * MARGIN
    title_font = ImageFont.load_default(size=20)
    text_font = ImageFont.load_default(size=17)
    lines = _wrap(caption, text_font, width - 2 * MARGIN) if caption else []
    height = PANEL + CAPTION + 2 * MARGIN + LINE * len(lines)
    figure = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(figure)
    for i, (im, title, label) in enumerate(panels):
        left = MARGIN + i * (PANEL + MARGIN)
        figure.paste(im.resize((PANEL, PANEL), Image.Resampling.NEAREST), (left, MARGIN))
        draw.text((left, MARGIN + PANEL + 8), title, fill=(40, 40, 40), font=title_font)
        draw.text((left, MARGIN + PANEL + 36), label, fill=(90, 90, 90), font=text_font)
    for i, line in enumerate(lines):
        draw.text((MARGIN, MARGIN + PANEL + CAPTION + 4 + i * LINE), line, fill=(40, 40, 40), font=text_font)
    return figure


def _wrap(text: str, font: ImageFont.ImageFont | ImageFont.FreeTypeFont, width: int) -> list[str]:
    """``text`` in lines at most ``width`` pixels wide in ``font``, broken at spaces (a longer word keeps its line)."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines
