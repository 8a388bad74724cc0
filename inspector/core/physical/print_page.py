"""A sticker or patch as a one-page PDF to print at 100 %: the page is exactly the pattern's physical size.

The pattern (:meth:`~inspector.core.physical.result.PhysicalResult.rgba`, in the model's input
frame) is enlarged to ``dpi`` pixels per inch without blending (each pixel a block of one colour,
so the printed colours stay the printable ones), laid on white where its alpha is 0, and saved
with Pillow's PDF writer at a resolution chosen so that the page's MediaBox is the stated width
(and the frame's height in proportion), in points (1/72 inch)::

    save_pdf(result.rgba(), "out/sticker.pdf", width_mm=sign_width(600), dpi=300, crop=False)

A sticker is printed as its whole frame, so that it sits where it was optimised on the sign: the
sign fills :data:`SIGN_FILL` of the frame, as in GTSRB's crops and the rendered signs
(:mod:`inspector.core.io.sign_render`). A patch works anywhere, so only its square is printed
(``crop=True``).
"""

from __future__ import annotations

import os

from PIL import Image

from inspector.core.util.errors import ParameterError

#: The share of the model's frame a sign's diameter spans (GTSRB frames its crops so).
SIGN_FILL = 0.8
#: The widest print, in millimetres (above A0's 1189 mm side is no sticker).
MAX_WIDTH_MM = 2000.0
#: The printer resolutions accepted, dots per inch.
MIN_DPI, MAX_DPI = 72, 1200
#: The default resolution, dots per inch.
DPI = 300
#: The most pixels on a side of the printed image (an RGB image that size is about 430 MB in memory).
MAX_SIDE = 12_000
#: The JPEG quality of the page's image (Pillow writes RGB pages as JPEG), without chroma subsampling.
QUALITY = 95
MM_PER_INCH = 25.4


def sign_width(diameter_mm: float) -> float:
    """The printed width in millimetres of the frame of a sign ``diameter_mm`` across (see :data:`SIGN_FILL`)."""
    return diameter_mm / SIGN_FILL


def check_print(width_mm: float, dpi: int, frame: tuple[int, int]) -> None:
    """Refuse a print size the page cannot have, before any work.

    Args:
        width_mm: the printed width of ``frame`` (H, W pixels), in (0, :data:`MAX_WIDTH_MM`].
        dpi: whole dots per inch, :data:`MIN_DPI` to :data:`MAX_DPI`.

    Raises:
        ParameterError: a width out of range, a dpi out of range, or more than :data:`MAX_SIDE`
            pixels on a side (the message says the largest dpi that fits).
    """
    if not 0 < width_mm <= MAX_WIDTH_MM:
        raise ParameterError(f"print width {width_mm:g} mm: must be above 0 and at most {MAX_WIDTH_MM:g} mm")
    if isinstance(dpi, bool) or not isinstance(dpi, int) or not MIN_DPI <= dpi <= MAX_DPI:
        raise ParameterError(f"print resolution {dpi!r} dpi: must be a whole number from {MIN_DPI} to {MAX_DPI}")
    h, w = frame
    side = width_mm / MM_PER_INCH * dpi * max(1.0, h / w)
    if side > MAX_SIDE:
        fits = int(MAX_SIDE * MM_PER_INCH / (width_mm * max(1.0, h / w)))
        raise ParameterError(
            f"a {width_mm:g} mm print at {dpi} dpi is {side:,.0f} pixels on a side, above {MAX_SIDE:,}: "
            f"use at most {fits} dpi"
        )


def print_image(rgba: Image.Image, width_mm: float, dpi: int, *, crop: bool) -> Image.Image:
    """``rgba`` (its alpha the mask) on white, enlarged to ``dpi`` at ``width_mm`` -> an RGB image.

    ``crop``: print only the box the alpha covers (a patch), not the whole frame (a sticker).

    Raises:
        ParameterError: as :func:`check_print`, or an image whose alpha is empty.
    """
    box = rgba.getchannel("A").getbbox()
    if box is None:
        raise ParameterError("the pattern's mask is empty: nothing to print")
    if crop:
        rgba = rgba.crop(box)
    check_print(width_mm, dpi, (rgba.height, rgba.width))
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    rgb = Image.alpha_composite(white, rgba).convert("RGB")
    wide = max(1, round(width_mm / MM_PER_INCH * dpi))
    high = max(1, round(wide * rgba.height / rgba.width))
    return rgb.resize((wide, high), Image.Resampling.NEAREST)


def save_pdf(rgba: Image.Image, path: str | os.PathLike, width_mm: float, dpi: int, *, crop: bool) -> None:
    """Write ``rgba`` as a one-page PDF whose page is ``width_mm`` wide (and the image's height in proportion).

    The resolution given to Pillow is the pixels' exact density, so that the MediaBox is
    ``width_mm / 25.4 * 72`` points wide whatever the rounding to whole pixels. The file holds no
    dates or title, so the same pattern gives the same bytes.

    Raises:
        ParameterError: as :func:`print_image`. OSError: the file cannot be written.
    """
    image = print_image(rgba, width_mm, dpi, crop=crop)
    resolution = image.width * MM_PER_INCH / width_mm
    undated = {"title": None, "creationDate": None, "modDate": None}
    image.save(path, "PDF", resolution=resolution, quality=QUALITY, subsampling=0, **undated)
