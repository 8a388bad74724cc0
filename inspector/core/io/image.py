"""Image files <-> float32 tensors in [0, 1] of shape (N, C, H, W).

Loading honours EXIF orientation, converts every Pillow mode (grey, palette,
RGBA, CMYK, 16-bit) to 8-bit RGB or grey, and refuses decompression bombs.
Preprocessing resizes the shorter side to the model's input size and crops the
centre (the default resize rule, ``"shorter-side-crop"``), or stretches the
whole image to it (``"stretch"``), as the model's metadata says; it works on 8-bit pixels, so the tensor it returns holds exact grey
levels (multiples of 1/255) and an image already at the input size passes
through unchanged.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from inspector.core.io.files import regular_file, write_atomically
from inspector.core.util.errors import ImageError, InputWarning
from inspector.core.util.messages import one_line, show_path

#: Images with more pixels than this are refused (Pillow's own default limit).
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485

#: How an image is brought to the model's input size: the first is the default.
RESIZE_RULES = ("shorter-side-crop", "stretch")

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".ppm")

#: Warnings raised while loading that are about the file (Pillow's, numpy's, ours), passed on as notes.
_ABOUT_THE_FILE = (UserWarning, RuntimeWarning)


def load_image(path: str | os.PathLike, *, channels: int = 3, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Open an image file as an 8-bit Pillow image in mode ``"RGB"`` or ``"L"``.

    What had to be fixed up on the way is reported as one :class:`InputWarning`
    per kind, naming the file: corrupt EXIF metadata (ignored), NaN or infinite
    pixels of a floating-point image (set to 0), and any other warning Pillow gives.

    Args:
        path: a PNG, JPEG, WebP, BMP or TIFF file.
        channels: 3 for RGB, 1 for grey.
        max_pixels: images with more pixels are refused as decompression bombs.

    Raises:
        ImageError: the file is missing, empty, not an image, truncated, or too large,
            or its name cannot be looked at (longer than the system allows, no permission).
    """
    path = Path(path)
    shown = show_path(path)
    info = regular_file(path, ImageError, "image")
    if info.st_size == 0:
        raise ImageError(f"{shown}: the file is empty")
    with warnings.catch_warnings(record=True) as caught:
        for kind in _ABOUT_THE_FILE:
            warnings.simplefilter("always", kind)
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        im = _open(path, shown, channels, max_pixels)
    for w in caught:
        if not issubclass(w.category, _ABOUT_THE_FILE):  # e.g. deprecations, for developers
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    for note in dict.fromkeys(_note(w.message) for w in caught if issubclass(w.category, _ABOUT_THE_FILE)):
        warnings.warn(InputWarning(f"{shown}: {note}"), stacklevel=2)
    return im


def _open(path: Path, shown: str, channels: int, max_pixels: int) -> Image.Image:
    try:
        with Image.open(path) as im:
            if im.width * im.height > max_pixels:
                raise ImageError(
                    f"{shown}: {im.width}x{im.height} pixels is more than the limit of "
                    f"{max_pixels:,} (possible decompression bomb)"
                )
            im.load()
            im = ImageOps.exif_transpose(im)
            return to_8bit(im, channels)
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(f"{shown}: not an image file Pillow can read") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(f"{shown}: too many pixels (possible decompression bomb)") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"{shown}: truncated or corrupt image data ({one_line(exc)})") from None


def _note(message: Warning | str) -> str:
    """One line for a warning raised while loading: Pillow's many EXIF complaints become one."""
    text = one_line(message)
    return "corrupt EXIF metadata ignored" if "EXIF" in text else text


def to_8bit(im: Image.Image, channels: int = 3) -> Image.Image:
    """Convert any Pillow mode to 8-bit ``"RGB"`` (channels=3) or ``"L"`` (channels=1).

    16-bit and 32-bit integer images are scaled to 8 bits, not clipped;
    floating-point images in [0, 1] are scaled by 255, others clipped to [0, 255];
    transparent images are composited over white. NaN or infinite pixels of a
    floating-point image are set to 0, with an :class:`InputWarning` saying how many.
    """
    if im.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        a = np.asarray(im, dtype=np.float32)
        scale = 257.0 if im.mode.startswith("I;16") or a.max(initial=0) > 255 else 1.0
        im = Image.fromarray(np.clip(np.round(a / scale), 0, 255).astype(np.uint8), "L")
    elif im.mode == "F":
        a = np.array(im, dtype=np.float32)
        finite = np.isfinite(a)
        if not finite.all():
            bad = a.size - int(finite.sum())
            plural = "s" if bad != 1 else ""
            warnings.warn(InputWarning(f"{bad:,} NaN or infinite pixel value{plural} set to 0 (black)"), stacklevel=2)
            a[~finite] = 0.0
        if a.max(initial=0) <= 1.0:
            a *= 255.0
        im = Image.fromarray(np.clip(np.round(a), 0, 255).astype(np.uint8), "L")
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        rgba = im.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(background, rgba)
    return im.convert("RGB" if channels == 3 else "L")


def preprocess(im: Image.Image, size: tuple[int, int], resize: str = RESIZE_RULES[0]) -> Image.Image:
    """Bring ``im`` to ``size`` = (H, W) by the rule ``resize`` (one of :data:`RESIZE_RULES`).

    ``"stretch"`` resizes the whole image to ``size``, changing its aspect ratio.
    ``"shorter-side-crop"`` resizes the shorter side to cover ``size``, then crops the centre.

    Done in one step, without the resized whole: only the source region under
    the crop is resampled, straight to ``size`` (the same pixels as resizing
    then cropping). Memory stays at the size of the output whatever the
    image's aspect ratio: a 12000x1 strip costs no more than a square photo.
    An image already of that size is returned unchanged.
    """
    height, width = size
    if im.size == (width, height):
        return im
    if resize == "stretch":
        return im.resize((width, height), Image.Resampling.BICUBIC)
    if resize != RESIZE_RULES[0]:
        raise ValueError(f"resize must be one of {', '.join(RESIZE_RULES)}, not {resize!r}")
    scale = max(height / im.height, width / im.width)
    new_w, new_h = max(width, round(im.width * scale)), max(height, round(im.height * scale))
    left, top = (new_w - width) // 2, (new_h - height) // 2
    sx, sy = im.width / new_w, im.height / new_h  # source pixels per resized pixel
    box = (left * sx, top * sy, (left + width) * sx, (top + height) * sy)
    return im.resize((width, height), Image.Resampling.BICUBIC, box=box)


def to_tensor(im: Image.Image) -> torch.Tensor:
    """8-bit Pillow image -> float32 tensor (1, C, H, W) in [0, 1]."""
    a = np.asarray(im, dtype=np.uint8)
    if a.ndim == 2:
        a = a[:, :, None]
    return torch.from_numpy(a.copy()).permute(2, 0, 1).unsqueeze(0).float().div_(255.0)


def to_pil(x: torch.Tensor) -> Image.Image:
    """Tensor (C, H, W) or (1, C, H, W) in [0, 1] -> 8-bit Pillow image (rounded)."""
    if x.dim() == 4:
        if x.shape[0] != 1:
            raise ValueError(f"to_pil takes one image, got a batch of {x.shape[0]}")
        x = x[0]
    a = quantize(x.detach().cpu()).mul(255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    return Image.fromarray(a[:, :, 0], "L") if a.shape[2] == 1 else Image.fromarray(a, "RGB")


def quantize(x: torch.Tensor) -> torch.Tensor:
    """Round pixels in [0, 1] to the nearest of the 256 grey levels, k/255."""
    return x.clamp(0.0, 1.0).mul(255.0).round().div(255.0)


def load_tensor(
    path: str | os.PathLike, size: tuple[int, int], channels: int = 3, resize: str = RESIZE_RULES[0]
) -> torch.Tensor:
    """Load, convert and preprocess an image file to a (1, C, H, W) tensor in [0, 1].

    ``size`` = (H, W), ``channels`` 3 or 1 and ``resize`` (see :func:`preprocess`)
    are the model's: pass a classifier's ``input_size``, ``channels`` and ``resize``.

    Raises:
        ImageError: see :func:`load_image`.
    """
    return to_tensor(preprocess(load_image(path, channels=channels), size, resize))


def save_image(im: Image.Image, path: str | os.PathLike, **save_args) -> None:
    """Write an image atomically (see :func:`inspector.core.io.files.write_atomically`).

    The format follows the file suffix. Raises ExportError if it cannot be written.
    """
    fmt = Image.registered_extensions().get(Path(path).suffix.lower(), "PNG")
    write_atomically(path, lambda fh: im.save(fh, format=fmt, **save_args))
