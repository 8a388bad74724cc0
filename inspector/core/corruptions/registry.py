"""The 15 common corruptions of ImageNet-C (Hendrycks and Dietterich 2019, "Benchmarking Neural
Network Robustness to Common Corruptions and Perturbations", ICLR, arXiv:1903.12261) at severities
1-5, applied to 8-bit images as a camera gives them.

:func:`corrupt` takes one (H, W, 3) or (H, W) uint8 image and gives it back corrupted, same shape
and dtype; :func:`corrupt_batch` does the same for (N, C, H, W) tensors in [0, 1], rounding to 8
bits before and after. Severity 0 is the clean image. Every random draw comes from a generator
seeded with ``seed``, so a seed gives the same image every time; the same seed at another severity
draws the same noise, only stronger (what makes "the smallest severity that flips the label"
meaningful).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from inspector.core.corruptions import blur, digital, noise, weather
from inspector.core.util.errors import ImageError, ParameterError

#: The severities of the benchmark; 0 (clean) is accepted by :func:`corrupt` too.
SEVERITIES = (1, 2, 3, 4, 5)
#: The smallest image side the kernels are made for.
MIN_SIDE = 8


@dataclass(frozen=True)
class Corruption:
    """One corruption: its ``name`` (``"gaussian-noise"``), ``title``, ``family`` (noise, blur, weather,
    digital) and ``apply(x, severity, generator)`` on (N, C, H, W) in [0, 1]."""

    name: str
    title: str
    family: str
    apply: Callable[[torch.Tensor, int, torch.Generator], torch.Tensor]


#: The corruptions by name, in the paper's order.
CORRUPTIONS: dict[str, Corruption] = {
    c.name: c
    for c in (
        Corruption("gaussian-noise", "Gaussian noise", "noise", noise.gaussian_noise),
        Corruption("shot-noise", "Shot noise", "noise", noise.shot_noise),
        Corruption("impulse-noise", "Impulse noise", "noise", noise.impulse_noise),
        Corruption("defocus-blur", "Defocus blur", "blur", blur.defocus_blur),
        Corruption("glass-blur", "Glass blur", "blur", blur.glass_blur),
        Corruption("motion-blur", "Motion blur", "blur", blur.motion_blur_corruption),
        Corruption("zoom-blur", "Zoom blur", "blur", blur.zoom_blur),
        Corruption("snow", "Snow", "weather", weather.snow),
        Corruption("frost", "Frost (synthesised texture)", "weather", weather.frost),
        Corruption("fog", "Fog", "weather", weather.fog),
        Corruption("brightness", "Brightness", "weather", weather.brightness),
        Corruption("contrast", "Contrast", "digital", digital.contrast),
        Corruption("elastic-transform", "Elastic transform", "digital", digital.elastic_transform),
        Corruption("pixelate", "Pixelate", "digital", digital.pixelate),
        Corruption("jpeg-compression", "JPEG compression", "digital", digital.jpeg_compression),
    )
}


def check_corruption(name: str) -> Corruption:
    """The corruption called ``name``.

    Raises:
        ParameterError: no corruption has that name (the message lists them).
    """
    if name not in CORRUPTIONS:
        raise ParameterError(f"unknown corruption {name!r}; choose from {', '.join(CORRUPTIONS)}")
    return CORRUPTIONS[name]


def check_severity(severity, clean: bool = False) -> int:
    """``severity`` as an int in 1-5 (0-5 with ``clean``).

    Raises:
        ParameterError: not a whole number in that range.
    """
    low = 0 if clean else 1
    if isinstance(severity, bool) or not isinstance(severity, int | np.integer) or not low <= severity <= 5:
        raise ParameterError(f"severity {severity!r} outside {low}-5", param="severity")
    return int(severity)


def eight_bit(x: torch.Tensor) -> torch.Tensor:
    """``x`` in [0, 1] rounded to the 256 levels of an 8-bit image, as float32 on the CPU."""
    return x.detach().float().cpu().clamp(0, 1).mul(255).round().div(255)


def corrupt_batch(x: torch.Tensor, name: str, severity: int, seed: int = 0) -> torch.Tensor:
    """(N, C, H, W) in [0, 1] (C 1 or 3), corrupted: the same shape, in [0, 1] on 8-bit steps, on x's device.

    Raises:
        ParameterError: an unknown name, a severity outside 0-5.
        ImageError: C not 1 or 3, or a side under MIN_SIDE pixels.
    """
    corruption = check_corruption(name)
    severity = check_severity(severity, clean=True)
    if x.ndim != 4 or x.shape[1] not in (1, 3) or min(x.shape[-2:]) < MIN_SIDE:
        raise ImageError(f"corruptions take (N, 1 or 3, H, W) images of sides {MIN_SIDE} or more; got {tuple(x.shape)}")
    camera = eight_bit(x)
    if severity == 0:
        return camera.to(x.device)
    return eight_bit(corruption.apply(camera, severity, torch.Generator().manual_seed(seed))).to(x.device)


def corrupt(image: np.ndarray, name: str, severity: int, seed: int = 0) -> np.ndarray:
    """One 8-bit image, (H, W, 3) or (H, W) uint8, corrupted by ``name`` at ``severity`` (0: a copy),
    drawing from ``seed``: the same shape, uint8.

    Raises:
        ParameterError: an unknown name, a severity outside 0-5.
        ImageError: not uint8 (H, W) or (H, W, 3), or a side under MIN_SIDE pixels.
    """
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim not in (2, 3):
        raise ImageError("corruptions take (H, W, 3) or (H, W) uint8 images")
    if image.ndim == 3 and image.shape[2] != 3:
        raise ImageError(f"corruptions take 3 colour channels or grey; got {image.shape[2]}")
    x = torch.from_numpy(image.copy()).float().div(255)
    x = x[None, None] if image.ndim == 2 else x.permute(2, 0, 1)[None]
    out = corrupt_batch(x, name, severity, seed)[0].mul(255).round().to(torch.uint8)
    return (out[0] if image.ndim == 2 else out.permute(1, 2, 0)).numpy()
