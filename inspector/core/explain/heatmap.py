"""An attribution map drawn over its image: grey image, red where the map is large."""

from __future__ import annotations

import torch
from PIL import Image

from inspector.core.io.image import to_pil

#: How much of the image shows under the strongest attribution (the rest is red).
RED_SHARE = 0.75
#: The quantile of |attribution| drawn reddest (those above it too): a few extreme pixels would
#: otherwise leave the rest of the map faint.
TOP_QUANTILE = 0.99


def heat_map(x: torch.Tensor, attribution: torch.Tensor) -> Image.Image:
    """An RGB image of ``x``, (1, C, H, W) or (C, H, W) in [0, 1], in grey, tinted red in proportion
    to |attribution| (H, W), scaled so that its :data:`TOP_QUANTILE` quantile and all above it are the
    reddest (its largest value where that quantile is 0; a map of zeros tints nothing). The same size
    as ``x``."""
    grey = x.detach().cpu().reshape(-1, *x.shape[-2:]).mean(0)
    mass = attribution.detach().abs().float().cpu()
    top = float(mass.flatten().quantile(TOP_QUANTILE)) or float(mass.max())
    weight = (mass / top).clamp(max=1.0) * RED_SHARE if top > 0 else torch.zeros_like(mass)
    red = torch.stack([grey * (1 - weight) + weight, grey * (1 - weight), grey * (1 - weight)])
    return to_pil(red)
