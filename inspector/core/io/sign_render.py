"""Road-sign photos the product renders itself: the demo images of the road-sign models.

GTSRB's photos cannot ship (their redistribution terms are unclear), so the demo signs are
drawn from the standard geometry and colours of the German signs (Vienna Convention shapes,
RAL colours approximated in sRGB), over a blurred outdoor background, then seen through a
mild perspective, rotation, lighting change, lens blur and sensor noise, and framed as GTSRB
frames its crops (the sign fills about 80 % of the image).

Each sign is a pure function of its name and seed: the same call gives the same pixels on any
machine with the same Pillow (the text uses Pillow's bundled font).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

#: Drawing resolution (pixels per side) before the camera model shrinks it to the output size.
CANVAS = 512
RED = (196, 22, 38)
WHITE = (246, 246, 242)
BLACK = (22, 22, 24)
YELLOW = (246, 182, 0)
BLUE_SKY = (128, 170, 210)
#: Background colours: foliage, bark, concrete, brick, sky.
PALETTE = ((60, 95, 50), (90, 120, 60), (85, 70, 55), (140, 140, 135), (150, 90, 70), (160, 190, 215))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _text(draw: ImageDraw.ImageDraw, centre: tuple[float, float], text: str, size: int, fill, stroke: int) -> None:
    draw.text(centre, text, font=_font(size), fill=fill, anchor="mm", stroke_width=stroke, stroke_fill=fill)


def _polygon(sides: int, radius: float, rotation: float, c: float = CANVAS / 2) -> list[tuple[float, float]]:
    return [
        (
            c + radius * math.cos(rotation + 2 * math.pi * k / sides),
            c + radius * math.sin(rotation + 2 * math.pi * k / sides),
        )
        for k in range(sides)
    ]


def _disc(draw: ImageDraw.ImageDraw, radius: float, fill) -> None:
    c = CANVAS / 2
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), fill=fill)


def _stop(draw: ImageDraw.ImageDraw, r: float) -> None:
    rotation = math.pi / 8
    draw.polygon(_polygon(8, r, rotation), fill=WHITE)
    draw.polygon(_polygon(8, r * 0.93, rotation), fill=RED)
    _text(draw, (CANVAS / 2, CANVAS / 2), "STOP", int(r * 0.62), WHITE, max(2, int(r * 0.035)))


def _yield(draw: ImageDraw.ImageDraw, r: float) -> None:
    c = CANVAS / 2
    draw.polygon(_polygon(3, r * 1.08, math.pi / 2, c), fill=RED)
    inner = _polygon(3, r * 1.08 * 0.55, math.pi / 2, c)
    draw.polygon(inner, fill=WHITE)


def _speed_limit(limit: int) -> Callable[[ImageDraw.ImageDraw, float], None]:
    def draw_it(draw: ImageDraw.ImageDraw, r: float) -> None:
        _disc(draw, r, RED)
        _disc(draw, r * 0.78, WHITE)
        _text(draw, (CANVAS / 2, CANVAS / 2 + r * 0.02), str(limit), int(r * 0.95), BLACK, max(2, int(r * 0.04)))

    return draw_it


def _no_entry(draw: ImageDraw.ImageDraw, r: float) -> None:
    c = CANVAS / 2
    _disc(draw, r, RED)
    draw.rectangle((c - r * 0.75, c - r * 0.17, c + r * 0.75, c + r * 0.17), fill=WHITE)


def _priority_road(draw: ImageDraw.ImageDraw, r: float) -> None:
    draw.polygon(_polygon(4, r * 0.98, 0.0), fill=BLACK)
    draw.polygon(_polygon(4, r * 0.94, 0.0), fill=WHITE)
    draw.polygon(_polygon(4, r * 0.58, 0.0), fill=YELLOW)


#: The demo signs: file stem -> (GTSRB class index, drawing function).
SIGNS: dict[str, tuple[int, Callable[[ImageDraw.ImageDraw, float], None]]] = {
    "stop": (14, _stop),
    "yield": (13, _yield),
    "speed-limit-30": (1, _speed_limit(30)),
    "speed-limit-50": (2, _speed_limit(50)),
    "no-entry": (17, _no_entry),
    "priority-road": (12, _priority_road),
}


def _background(rng: np.random.Generator) -> Image.Image:
    """A blurred outdoor scene: sky fading into foliage or buildings, with soft blobs."""
    top = np.array(BLUE_SKY) * rng.uniform(0.7, 1.1)
    bottom = np.array(rng.choice([(70, 100, 60), (110, 110, 105), (90, 80, 70)])) * rng.uniform(0.7, 1.2)
    t = np.linspace(0, 1, CANVAS)[:, None, None] ** rng.uniform(0.6, 1.6)
    pixels = (1 - t) * top + t * bottom
    image = Image.fromarray(np.broadcast_to(pixels, (CANVAS, CANVAS, 3)).clip(0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(int(rng.integers(6, 14))):
        x, y, size = rng.uniform(0, CANVAS), rng.uniform(0, CANVAS), rng.uniform(20, 140)
        base = np.array(PALETTE[int(rng.integers(len(PALETTE)))], dtype=float)
        colour = tuple(int(v) for v in (base * rng.uniform(0.7, 1.2)).clip(0, 255))
        draw.ellipse((x - size, y - size, x + size, y + size), fill=colour)
    return image.filter(ImageFilter.GaussianBlur(CANVAS / 40))


def _perspective(rng: np.random.Generator) -> tuple[float, ...]:
    """Coefficients of Pillow's PERSPECTIVE transform for a view up to ~12 degrees off-axis and
    a rotation of up to 5 degrees about the viewing axis."""
    c = CANVAS / 2
    angle = math.radians(rng.uniform(-5, 5))
    tilt_x, tilt_y = rng.uniform(-0.2, 0.2, 2) / CANVAS * 0.5
    cos, sin = math.cos(angle), math.sin(angle)
    # output (u, v) -> input (x, y): rotate about the centre, then divide by a gentle projective term
    a, b = cos, -sin
    d, e = sin, cos
    return (a, b, c - a * c - b * c, d, e, c - d * c - e * c, tilt_x, tilt_y)


def render_sign(name: str, seed: int = 0, size: int = 128) -> Image.Image:
    """The demo sign ``name`` (a key of :data:`SIGNS`) as a ``size`` x ``size`` RGB photo-like image.

    Raises:
        KeyError: unknown sign name.
    """
    _, draw_sign = SIGNS[name]
    rng = np.random.default_rng([seed, sorted(SIGNS).index(name)])
    layer = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    draw_sign(ImageDraw.Draw(layer), CANVAS * rng.uniform(0.37, 0.41))
    layer = layer.transform(layer.size, Image.Transform.PERSPECTIVE, _perspective(rng), Image.Resampling.BICUBIC)
    scene = _background(rng)
    scene.paste(layer, (0, 0), layer)
    light = rng.uniform(0.75, 1.15)
    pixels = np.asarray(scene, dtype=np.float32) * light
    photo = Image.fromarray(pixels.clip(0, 255).astype(np.uint8))
    photo = photo.filter(ImageFilter.GaussianBlur(CANVAS / size * rng.uniform(0.3, 0.7)))
    photo = photo.resize((size, size), Image.Resampling.BICUBIC)
    noisy = np.asarray(photo, dtype=np.float32) + rng.normal(0, 3.0, (size, size, 3))
    return Image.fromarray(noisy.clip(0, 255).round().astype(np.uint8))
