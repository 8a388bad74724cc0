"""Pictures of perturbations: amplified, in a diverging blue-white-red colour map."""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image

# Blue for negative, white for zero, red for positive (ColorBrewer RdBu ends).
_ANCHORS = np.array([[33, 102, 172], [247, 247, 247], [178, 24, 43]], dtype=np.float64)


def diverging_colors(values: np.ndarray) -> np.ndarray:
    """Map values in [-1, 1] (any shape) to uint8 RGB (..., 3), blue-white-red."""
    v = np.clip(values, -1.0, 1.0)[..., None]
    low = _ANCHORS[1] + (_ANCHORS[0] - _ANCHORS[1]) * np.clip(-v, 0, 1)
    high = _ANCHORS[1] + (_ANCHORS[2] - _ANCHORS[1]) * np.clip(v, 0, 1)
    return np.round(np.where(v < 0, low, high)).astype(np.uint8)


def perturbation_map(x: torch.Tensor, x_adv: torch.Tensor) -> tuple[np.ndarray, float]:
    """Signed perturbation summed over channels, scaled to [-1, 1].

    Args:
        x, x_adv: (1, C, H, W) or (C, H, W) in [0, 1].

    Returns:
        (values (H, W) in [-1, 1], scale) where ``scale`` is the grey-level
        value (per channel sum) shown at full colour; 0 when nothing changed.
    """
    delta = (x_adv - x).detach().float().cpu()
    if delta.dim() == 4:
        delta = delta[0]
    signed = delta.sum(0).numpy() * 255.0
    scale = float(np.abs(signed).max())
    return (signed / scale if scale > 0 else signed), scale


def perturbation_image(x: torch.Tensor, x_adv: torch.Tensor) -> tuple[Image.Image, float]:
    """The perturbation as an RGB picture (blue: darker, red: brighter) and its scale in grey levels."""
    values, scale = perturbation_map(x, x_adv)
    return Image.fromarray(diverging_colors(values), "RGB"), scale
