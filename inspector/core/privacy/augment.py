"""Random affine transforms of a batch of images (rotation, scale, shift), torch only."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def random_affine(
    x: torch.Tensor, generator: torch.Generator, *, rotation: float = 0.0, scale: float = 0.0, shift: int = 2
) -> torch.Tensor:
    """Each image of ``x`` (N, C, H, W) in [0, 1] moved by its own random transform; same shape and range.

    Per image: a rotation uniform in [-rotation, rotation] degrees, a zoom uniform
    in [1 - scale, 1 + scale] and a shift of whole pixels uniform in [-shift, shift]
    on each axis; the border is filled with 0 (black, the MNIST background).
    Bilinear sampling, except a pure shift (rotation = scale = 0), which is exact.
    """
    n, _, h, w = x.shape
    angle = (torch.rand(n, generator=generator) * 2 - 1) * math.radians(rotation)
    zoom = 1 + (torch.rand(n, generator=generator) * 2 - 1) * scale
    dx = torch.randint(-shift, shift + 1, (n,), generator=generator).float() * 2 / w
    dy = torch.randint(-shift, shift + 1, (n,), generator=generator).float() * 2 / h
    cos, sin = torch.cos(angle) / zoom, torch.sin(angle) / zoom
    theta = torch.stack([torch.stack([cos, -sin, -dx], 1), torch.stack([sin, cos, -dy], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    mode = "nearest" if rotation == 0 and scale == 0 else "bilinear"
    return F.grid_sample(x, grid, mode=mode, padding_mode="zeros", align_corners=False).clamp(0, 1)
