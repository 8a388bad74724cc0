"""Where a sticker may go: a mask over the model's input frame, (1, H, W) of 0 and 1.

Eykholt et al. 2018 (arXiv:1707.08945) stick two black-and-white bars on a stop sign, above and
below its text; :func:`bars_mask` draws that shape. :func:`block_mask` draws one block over the
middle of the frame instead (a sign's text), which survives the views better at the same area
(:func:`shape_mask`, docs/guides/physical.md). :func:`mask_from_image` reads a mask a person painted
(white: sticker). :func:`check_mask` refuses the masks no sticker can use.
"""

from __future__ import annotations

import math
import os

import torch
from PIL import Image

from inspector.core.io.image import load_image, to_tensor
from inspector.core.util.errors import ParameterError
from inspector.core.util.messages import show_path

#: The rows of the two bars' centres, as fractions of the height (above and below a sign's text).
BAR_ROWS = (0.3, 0.7)
#: A bar's height, as a fraction of the image height (at least one pixel): 4 rows at 32 pixels. Bars
#: of 2 rows (0.07) of the same area are smeared away by the views' blur and scale: an RP2 sticker of
#: 10 % of a stop sign read as "speed limit 30" in 3 % of held-out views, against 22 % with 4 rows
#: (bench/physical.py --bar-height, docs/guides/physical.md).
BAR_HEIGHT = 0.12
#: The widest a bar may be, as a fraction of the image width.
BAR_MAX_WIDTH = 0.8


def bars_mask(size: tuple[int, int], area: float, bar_height: float = BAR_HEIGHT) -> torch.Tensor:
    """Two horizontal bars centred on the frame, above and below its middle, covering ``area`` of it.

    Args:
        size: (H, W) of the model's input. area: the fraction of the frame's pixels, in (0, 1).
        bar_height: a bar's height as a fraction of H (at least one row).

    Returns:
        (1, H, W) float32 of 0 and 1, with ``round(area * H * W)`` ones up to a bar's rounding.

    Raises:
        ParameterError: the bars would be empty or wider than :data:`BAR_MAX_WIDTH` of the frame.
    """
    h, w = size
    bar_h = max(1, round(bar_height * h))
    bar_w = round(area * h * w / (2 * bar_h))
    if bar_w < 1 or bar_w > BAR_MAX_WIDTH * w:
        raise ParameterError(
            f"area {area:g}: two bars of {bar_h} rows cannot cover it in a {w}x{h} frame "
            f"(at most {BAR_MAX_WIDTH:.0%} of its width each); choose a mask image",
            param="area",
        )
    mask = torch.zeros(1, h, w)
    left = (w - bar_w) // 2
    for row in BAR_ROWS:
        top = min(h - bar_h, max(0, round(row * h - bar_h / 2)))
        mask[:, top : top + bar_h, left : left + bar_w] = 1.0
    return mask


def block_mask(size: tuple[int, int], area: float) -> torch.Tensor:
    """One block centred on the frame (over a sign's text), as near square as can be, covering at most ``area``.

    A stop sign's text is where a sticker of 10 % of the sign did best: read as "speed limit 30" in
    about 45 % of views of held-out GTSRB photos, against about 20 % for two bars of the same area
    (bench/physical.py --shape, docs/guides/physical.md).

    Args:
        size: (H, W). area: the fraction of the frame, in (0, 1).

    Returns:
        (1, H, W) float32 of 0 and 1: ``ceil(sqrt(area H W))`` rows by as many columns as keep it
        within ``area``.

    Raises:
        ParameterError: the block would be empty or not fit in the frame.
    """
    h, w = size
    pixels = area * h * w
    rows = math.ceil(math.sqrt(pixels))
    cols = math.floor(pixels / rows + 1e-9)
    if cols < 1 or rows >= h or cols >= w:
        raise ParameterError(f"area {area:g}: no block of at most that area fits in a {w}x{h} frame", param="area")
    mask = torch.zeros(1, h, w)
    top, left = (h - rows) // 2, (w - cols) // 2
    mask[:, top : top + rows, left : left + cols] = 1.0
    return mask


def shape_mask(shape: str, size: tuple[int, int], area: float) -> torch.Tensor:
    """The mask of a sticker's ``shape``: "bars" (:func:`bars_mask`) or "block" (:func:`block_mask`) of ``area``.

    Raises:
        ParameterError: another shape, or one that cannot cover ``area`` in ``size``.
    """
    if shape == "bars":
        return bars_mask(size, area)
    if shape == "block":
        return block_mask(size, area)
    raise ParameterError(f"shape {shape!r}: choose bars or block", param="shape")


def square_mask(size: tuple[int, int], area: float) -> torch.Tensor:
    """A square centred in the frame covering ``area`` of it (an adversarial patch's shape).

    Args:
        size: (H, W). area: the fraction of the frame, in (0, 1).

    Returns:
        (1, H, W) float32 of 0 and 1, a square of side ``round(sqrt(area * H * W))``, at least 1.

    Raises:
        ParameterError: the square would not fit in the frame.
    """
    h, w = size
    side = max(1, round((area * h * w) ** 0.5))
    if side >= min(h, w):
        raise ParameterError(f"area {area:g}: a square patch of {side} pixels does not fit in {w}x{h}", param="area")
    mask = torch.zeros(1, h, w)
    top, left = (h - side) // 2, (w - side) // 2
    mask[:, top : top + side, left : left + side] = 1.0
    return mask


def mask_from_image(path: str | os.PathLike, size: tuple[int, int]) -> torch.Tensor:
    """The mask a person painted: an image whose light pixels (above mid-grey) are the sticker,
    resized to ``size`` = (H, W) with nearest-neighbour sampling.

    Raises:
        ImageError: the file cannot be read as an image (see :func:`~inspector.core.io.image.load_image`).
        ParameterError: the mask is empty or covers the whole frame (:func:`check_mask`).
    """
    grey = load_image(path, channels=1).resize((size[1], size[0]), Image.Resampling.NEAREST)
    mask = (to_tensor(grey)[0] > 0.5).float()
    check_mask(mask, show_path(path))
    return mask


def check_mask(mask: torch.Tensor, what: str = "the mask") -> None:
    """Refuse a mask no sticker can use: one without a pixel, or one covering every pixel (that is
    no sticker but a new image).

    Raises:
        ParameterError: naming ``what`` and the fraction it covers.
    """
    covered = float(mask.mean())
    if covered == 0.0:
        raise ParameterError(f"{what} is empty: paint the sticker's region white on black")
    if covered == 1.0:
        raise ParameterError(f"{what} covers the whole image: a sticker must leave some of the object visible")
