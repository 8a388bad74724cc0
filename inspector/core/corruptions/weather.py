"""Weather corruptions (Hendrycks and Dietterich 2019, arXiv:1903.12261, section 3): snow, frost
(:mod:`~inspector.core.corruptions.frost`: a synthesised texture, not the paper's photographs), fog
(a plasma fractal) and brightness (sunlight). Strengths are ImageNet-C's, pixel sizes scaled from
224 pixels to the image. Each takes (N, C, H, W) in [0, 1] (C 1 or 3), a severity 1-5 and a seeded
generator, and returns the same shape in [0, 1]."""

from __future__ import annotations

import math

import torch
from kornia.color import hsv_to_rgb, rgb_to_grayscale, rgb_to_hsv
from kornia.filters import motion_blur
from kornia.geometry.transform import resize

from inspector.core.corruptions.frost import frost_texture
from inspector.core.corruptions.plasma import plasma
from inspector.core.corruptions.scale import odd_kernel, pixels

#: (flake mean, flake spread, flake zoom, threshold, blur length at 224, share of the image kept).
SNOW = (
    (0.1, 0.3, 3.0, 0.5, 4, 0.8),
    (0.2, 0.3, 2.0, 0.5, 4, 0.7),
    (0.55, 0.3, 4.0, 0.9, 8, 0.7),
    (0.55, 0.3, 4.5, 0.85, 8, 0.65),
    (0.55, 0.3, 2.5, 0.85, 12, 0.55),
)
#: (weight of the image, weight of the frost).
FROST = ((1.0, 0.4), (0.8, 0.6), (0.7, 0.7), (0.65, 0.7), (0.6, 0.75))
#: (fog strength, decay of the fractal's amplitude per level of detail).
FOG = ((1.5, 2.0), (2.0, 2.0), (2.5, 1.7), (2.5, 1.5), (3.0, 1.4))
#: Added to the HSV value.
BRIGHTNESS = (0.1, 0.2, 0.3, 0.4, 0.5)


def _grey(x: torch.Tensor) -> torch.Tensor:
    return rgb_to_grayscale(x) if x.shape[1] == 3 else x


def snow(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    """Flakes (Gaussian noise drawn at a coarser grid, thresholded, blurred along a falling direction)
    over an image whitened toward its grey version."""
    mean, spread, zoom, threshold, length, kept = SNOW[severity - 1]
    n, _, h, w = x.shape
    coarse = torch.randn(n, 1, math.ceil(h / zoom), math.ceil(w / zoom), generator=g) * spread + mean
    flakes = resize(coarse, (h, w), interpolation="bilinear")
    flakes = torch.where(flakes < threshold, torch.zeros_like(flakes), flakes)
    angle = torch.rand(n, generator=g) * 90 - 135
    flakes = motion_blur(flakes, odd_kernel(pixels(x, length)), angle, torch.zeros(n)).to(x)
    whitened = kept * x + (1 - kept) * torch.maximum(x, _grey(x) * 1.5 + 0.5)
    return (whitened + flakes + flakes.flip(-1, -2)).clamp(0, 1)


def frost(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    image, ice = FROST[severity - 1]
    n, c, h, w = x.shape
    return (image * x + ice * frost_texture(n, c, h, w, g).to(x)).clamp(0, 1)


def fog(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    """A plasma-fractal haze added, then the image rescaled so its brightest value stays where it was."""
    strength, decay = FOG[severity - 1]
    n, _, h, w = x.shape
    brightest = x.amax(dim=(1, 2, 3), keepdim=True)
    hazy = x + strength * plasma(n, h, w, 1 / decay, g).to(x)
    return (hazy * brightest / (brightest + strength)).clamp(0, 1)


def brightness(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    lift = BRIGHTNESS[severity - 1]
    if x.shape[1] == 1:
        return (x + lift).clamp(0, 1)
    hsv = rgb_to_hsv(x)
    hsv = torch.cat([hsv[:, :2], (hsv[:, 2:] + lift).clamp(0, 1)], dim=1)
    return hsv_to_rgb(hsv).clamp(0, 1)
