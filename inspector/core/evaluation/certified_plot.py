"""The certified-accuracy-versus-radius plot (Cohen, Rosenfeld and Kolter 2019, arXiv:1902.02918,
figure 7), drawn with Pillow like the evaluation's robust-accuracy plot."""

from __future__ import annotations

from PIL import Image

from inspector.core.evaluation.certified import CertificationResult
from inspector.core.evaluation.plot import COLOURS, accuracy_axes

WIDTH, HEIGHT = 900, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 40, 20, 60


def certified_plot(results: dict[str, CertificationResult]) -> Image.Image:
    """Certified accuracy (%) against the L2 radius, one line per entry of ``results`` (a label such
    as ``"mnist-smooth-0.25"`` to its result): the exact step curve of the images' radii, and dots
    with 95 % Wilson whiskers at the results' default radii. Returns an RGB image WIDTH x HEIGHT."""
    radii = sorted({r for result in results.values() for r in result.default_radii()}) or [0.0]
    figure, draw, font, px, py = accuracy_axes(
        (WIDTH, HEIGHT),
        (LEFT, RIGHT, TOP, BOTTOM),
        [(r, f"{r:g}") for r in radii],
        "certified L2 radius (pixel values in [0, 1])",
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
