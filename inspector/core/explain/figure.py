"""An explanation as a picture: the original's and the adversarial's maps side by side, with captions."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from inspector.core.explain.explain import Explained, Explanation
from inspector.core.explain.heatmap import heat_map
from inspector.core.io.figure import CAPTION, MARGIN, PANEL


def maps_figure(explanation: Explanation) -> Image.Image:
    """The heat maps (:func:`~inspector.core.explain.heatmap.heat_map`) of the original and, where
    there is one, the adversarial, each :data:`~inspector.core.io.figure.PANEL` pixels square (nearest
    neighbour) over a caption naming the class explained: an RGB image as wide as two or three
    panels of :func:`~inspector.core.io.figure.side_by_side` (white where the third would be)."""
    shown = [("original", explanation.original)]
    if explanation.adversarial is not None:
        shown.append(("adversarial", explanation.adversarial))
    width = 3 * PANEL + 4 * MARGIN
    figure = Image.new("RGB", (width, PANEL + CAPTION + 2 * MARGIN), "white")
    draw = ImageDraw.Draw(figure)
    title_font, text_font = ImageFont.load_default(size=20), ImageFont.load_default(size=17)
    names = explanation.model.class_names
    for i, (title, explained) in enumerate(shown):
        left = MARGIN + (2 * i) * (PANEL + MARGIN)  # under the original and under the adversarial
        figure.paste(_panel(explained), (left, MARGIN))
        draw.text((left, MARGIN + PANEL + 8), f"{title}: where the model looks", fill=(40, 40, 40), font=title_font)
        caption = f"towards {names[explained.attribution.target]}"
        draw.text((left, MARGIN + PANEL + 36), caption, fill=(90, 90, 90), font=text_font)
    return figure


def _panel(explained: Explained) -> Image.Image:
    return heat_map(explained.x, explained.attribution.map).resize((PANEL, PANEL), Image.Resampling.NEAREST)
