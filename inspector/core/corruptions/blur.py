"""Blur corruptions (Hendrycks and Dietterich 2019, arXiv:1903.12261, section 3): defocus (out of
focus), glass (a frosted window), motion (a moving camera) and zoom (moving toward the object).
Strengths are ImageNet-C's, their pixel sizes scaled from 224 pixels to the image
(:func:`~inspector.core.corruptions.scale.pixels`); the filtering is kornia's. Each takes
(N, C, H, W) in [0, 1], a severity 1-5 and a seeded generator, and returns the same shape."""

from __future__ import annotations

import torch
from kornia.filters import filter2d, gaussian_blur2d, motion_blur
from kornia.geometry.transform import scale

from inspector.core.corruptions.scale import odd_kernel, pixels, supersampled

#: (disk radius, alias-blur sigma), pixels at 224.
DEFOCUS = ((3, 0.1), (4, 0.5), (6, 0.5), (8, 0.5), (10, 0.5))
#: (Gaussian sigma, largest pixel shift, shuffling rounds), pixels at 224.
GLASS = ((0.7, 1, 2), (0.9, 2, 1), (1.0, 2, 3), (1.1, 3, 2), (1.5, 4, 2))
#: The blur's length either side, pixels at 224 (ImageNet-C's motion sigma).
MOTION = (3, 5, 8, 12, 15)
#: (largest zoom, step) of the zoomed copies averaged.
ZOOM = ((1.11, 0.01), (1.16, 0.01), (1.21, 0.02), (1.26, 0.02), (1.31, 0.03))
#: Sub-pixel samples per side when the disk kernel's pixels are weighed by the area the disk covers.
DISK_SUPERSAMPLE = 8


def disk_kernel(radius: float) -> torch.Tensor:
    """A (1, K, K) kernel of a disk of ``radius`` pixels, each weight the share of its pixel the disk
    covers (so a radius under one pixel still blurs), summing to 1."""
    half = int(radius + 1)
    steps = (torch.arange(DISK_SUPERSAMPLE) + 0.5) / DISK_SUPERSAMPLE - 0.5
    coords = (torch.arange(-half, half + 1)[:, None] + steps[None, :]).reshape(-1)
    inside = (coords[:, None] ** 2 + coords[None, :] ** 2 <= radius**2).float()
    side = 2 * half + 1
    covered = inside.reshape(side, DISK_SUPERSAMPLE, side, DISK_SUPERSAMPLE).mean(dim=(1, 3))
    return (covered / covered.sum())[None]


def _gaussian(x: torch.Tensor, sigma: float) -> torch.Tensor:
    size = odd_kernel(2 * sigma)
    return gaussian_blur2d(x, (size, size), (sigma, sigma), border_type="reflect")


def defocus_blur(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    radius, alias = DEFOCUS[severity - 1]

    def blur(x: torch.Tensor) -> torch.Tensor:
        blurred = filter2d(x, disk_kernel(pixels(x, radius)).to(x), border_type="reflect")
        return _gaussian(blurred, max(pixels(x, alias), 0.05))

    return supersampled(x, blur).clamp(0, 1)


def glass_blur(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    """Blur, move each pixel to a random place up to the largest shift away (in rounds), blur again."""
    sigma_224, shift_224, rounds = GLASS[severity - 1]

    def blur(x: torch.Tensor) -> torch.Tensor:
        sigma, shift = pixels(x, sigma_224), max(1, round(pixels(x, shift_224)))
        h, w = x.shape[-2:]
        x = _gaussian(x, sigma)
        rows, cols = torch.arange(h)[:, None].expand(h, w), torch.arange(w)[None, :].expand(h, w)
        for _ in range(rounds):
            dy, dx = torch.randint(-shift, shift + 1, (2, h, w), generator=g)
            source = (rows + dy).clamp(0, h - 1) * w + (cols + dx).clamp(0, w - 1)
            x = x.flatten(2)[:, :, source.flatten()].reshape(x.shape)
        return _gaussian(x, sigma)

    return supersampled(x, blur).clamp(0, 1)


def motion_blur_corruption(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    """A straight blur at an angle drawn in [-45, 45] degrees."""
    angle = (torch.rand(len(x), generator=g) * 90 - 45).to(x)

    def blur(x: torch.Tensor) -> torch.Tensor:
        return motion_blur(
            x, odd_kernel(pixels(x, MOTION[severity - 1])), angle, torch.zeros_like(angle), mode="bilinear"
        )

    return supersampled(x, blur).clamp(0, 1)


def zoom_blur(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    """The mean of the image and its copies zoomed about the centre by 1 + step, 1 + 2 step, ..."""
    largest, step = ZOOM[severity - 1]
    factors = torch.arange(1 + step, largest, step)
    total = x.clone()
    for factor in factors.tolist():
        total += scale(x, torch.full((len(x), 2), factor, dtype=x.dtype), padding_mode="border")
    return (total / (len(factors) + 1)).clamp(0, 1)
