"""How a corruption's sizes follow the image: ImageNet-C's pixel sizes are for 224 x 224 photos."""

from __future__ import annotations

import torch
import torch.nn.functional as F

#: The side ImageNet-C's pixel sizes (blur radii, flake sizes) were chosen for.
REFERENCE_SIDE = 224


def pixels(x: torch.Tensor, size_at_224: float) -> float:
    """``size_at_224`` pixels of a 224-pixel image, scaled to the shorter side of ``x`` (N, C, H, W)."""
    return size_at_224 * min(x.shape[-2:]) / REFERENCE_SIDE


def odd_kernel(length: float) -> int:
    """The odd kernel size covering ``length`` pixels either side of the centre, at least 3."""
    return max(3, 2 * round(length) + 1)


#: Blurs of images with a shorter side under this many pixels are made on a copy this large (see :func:`supersampled`).
SUPERSAMPLE_SIDE = 96


def supersampled(x: torch.Tensor, blur) -> torch.Tensor:
    """``blur(x)`` made on a copy of ``x`` enlarged by a whole factor to at least SUPERSAMPLE_SIDE pixels
    (each pixel a block) and averaged back down: a blur of a fraction of a pixel then still blurs, and
    grows with the severity, where on the small image's grid the kernel sizes round to the same few
    pixels. Without blur it gives ``x`` back exactly."""
    factor = -(-SUPERSAMPLE_SIDE // min(x.shape[-2:]))
    if factor == 1:
        return blur(x)
    return F.avg_pool2d(blur(F.interpolate(x, scale_factor=factor, mode="nearest")), factor)
