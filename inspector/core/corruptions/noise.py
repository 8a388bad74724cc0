"""Noise corruptions (Hendrycks and Dietterich 2019, arXiv:1903.12261, section 3): Gaussian noise
(sensor noise in low light), shot noise (the Poisson nature of light) and impulse noise (salt and
pepper, bit errors). Strengths are ImageNet-C's. Each takes (N, C, H, W) in [0, 1], a severity
1-5 and a seeded generator, and returns the same shape, clipped to [0, 1]."""

from __future__ import annotations

import torch

GAUSSIAN_STD = (0.08, 0.12, 0.18, 0.26, 0.38)
#: Photons per unit of intensity: fewer photons, more shot noise.
SHOT_PHOTONS = (60.0, 25.0, 12.0, 5.0, 3.0)
#: The fraction of values set to 0 or 1.
IMPULSE_AMOUNT = (0.03, 0.06, 0.09, 0.17, 0.27)


def gaussian_noise(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    noise = torch.randn(x.shape, generator=g, dtype=x.dtype) * GAUSSIAN_STD[severity - 1]
    return (x + noise).clamp(0, 1)


def shot_noise(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    photons = SHOT_PHOTONS[severity - 1]
    return (torch.poisson(x * photons, generator=g) / photons).clamp(0, 1)


def impulse_noise(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    hit = torch.rand(x.shape, generator=g) < IMPULSE_AMOUNT[severity - 1]
    salt = torch.rand(x.shape, generator=g) < 0.5
    return torch.where(hit, salt.to(x.dtype), x)
