"""The certified-accuracy-versus-radius plot (Cohen, Rosenfeld and Kolter 2019, arXiv:1902.02918,
figure 7), drawn with Pillow like the evaluation's robust-accuracy plot."""

from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

from inspector.core.evaluation.certified import CertificationResult
from inspector.core.evaluation.plot import COLOURS

WIDTH, HEIGHT = 900, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 40, 20, 60


def certified_plot(results: dict[str, CertificationResult]) -> Image.Image:
    """Certified accuracy (%) against the L2 radius, one line per entry of ``results`` (a label such
    as ``"mnist-smooth-0.25"`` to its result): the exact step curve of the images' radii, and dots
    with 95 % Wilson whiskers at the results' default radii. Returns an RGB image WIDTH x HEIGHT."""
    figure = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(figure)
    font = ImageFont.load_default(size=14)
    radii = sorted({r for result in results.values() for r in result.default_radii()}) or [0.0]
    x_max = radii[-1] or 1.0
    px = lambda r: LEFT + (WIDTH - LEFT - RIGHT) * min(r, x_max) / x_max  # noqa: E731
    py = lambda a: TOP + (HEIGHT - TOP - BOTTOM) * (1 - a)  # noqa: E731
    for level in (0, 0.25, 0.5, 0.75, 1.0):
        draw.line([(LEFT, py(level)), (WIDTH - RIGHT, py(level))], fill=(225, 225, 225))
        draw.text((LEFT - 8, py(level)), f"{level:.0%}", fill=(60, 60, 60), font=font, anchor="rm")
    for r in radii:
        draw.line([(px(r), HEIGHT - BOTTOM), (px(r), HEIGHT - BOTTOM + 5)], fill=(60, 60, 60))
        draw.text((px(r), HEIGHT - BOTTOM + 8), f"{r:g}", fill=(60, 60, 60), font=font, anchor="mt")
    draw.rectangle([LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM], outline=(60, 60, 60))
    draw.text(
        ((LEFT + WIDTH - RIGHT) / 2, HEIGHT - 18),
        "certified L2 radius (pixel values in [0, 1])",
        fill=(30, 30, 30),
        font=font,
        anchor="mm",
    )
    for k, (label, result) in enumerate(results.items()):
        colour = COLOURS[k % len(COLOURS)]
        draw.line([(px(r), py(a)) for r, a in steps(result)], fill=colour, width=3)
        for row in result.curve():
            x = px(row["radius"])
            draw.line([(x, py(row["ci"][0])), (x, py(row["ci"][1]))], fill=colour, width=1)
            draw.ellipse([x - 3, py(row["accuracy"]) - 3, x + 3, py(row["accuracy"]) + 3], fill=colour)
        y = HEIGHT - BOTTOM - 22 * (len(results) - k) - 6  # bottom left: under the curves, which fall to the right
        draw.line([(LEFT + 15, y + 7), (LEFT + 45, y + 7)], fill=colour, width=3)
        draw.text((LEFT + 52, y), label, fill=(30, 30, 30), font=font)
    return figure


def steps(result: CertificationResult) -> list[tuple[float, float]]:
    """The certified accuracy as a step function of the radius: it holds up to each image's
    radius and drops by 1/n just after it."""
    n = len(result.images)
    radii = sorted(i.radius for i in result.images if i.certified_correct)
    if not n:
        return []
    points, left = [(0.0, len(radii) / n)], len(radii)
    for r in radii:
        points.append((r, left / n))
        left -= 1
        points.append((r, left / n))
    return points
