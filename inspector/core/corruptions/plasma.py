"""Seeded plasma fractals (kornia's diamond-square), the cloud texture of fog and frost."""

from __future__ import annotations

import torch
from kornia.contrib import diamond_square


def plasma(n: int, h: int, w: int, roughness: float, g: torch.Generator) -> torch.Tensor:
    """(n, 1, h, w) plasma in [0, 1] drawn from ``g``; ``roughness`` in (0, 1): the amplitude kept from one
    level of detail to the next (more: more fine detail). Fournier, Fussell and Carpenter 1982."""

    def draw(shape, device=None, dtype=None) -> torch.Tensor:
        return torch.rand(shape, generator=g, dtype=dtype or torch.float32)

    return diamond_square((n, 1, h, w), roughness=roughness, random_fn=draw, normalize_range=(0.0, 1.0))
