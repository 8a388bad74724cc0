"""An attribution map drawn over its image: grey image, red where the map is large."""

from __future__ import annotations

import torch
from PIL import Image

from inspector.core.io.image import to_pil

#: How much of the image shows under the strongest attribution (the rest is red).
RED_SHARE = 0.75


def heat_map(x: torch.Tensor, attribution: torch.Tensor) -> Image.Image:
    """An RGB image of ``x``, (1, C, H, W) or (C, H, W) in [0, 1], in grey, tinted red in proportion
    to |attribution| (H, W), scaled so that its largest value is the reddest (a map of zeros tints
    nothing). The same size as ``x``."""
    grey = x.detach().cpu().reshape(-1, *x.shape[-2:]).mean(0)
    mass = attribution.detach().abs().float().cpu()
    top = float(mass.max())
    weight = (mass / top if top > 0 else torch.zeros_like(mass)) * RED_SHARE
    red = torch.stack([grey * (1 - weight) + weight, grey * (1 - weight), grey * (1 - weight)])
    return to_pil(red)
