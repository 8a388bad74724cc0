"""A procedural frost texture, in place of the frost photographs ImageNet-C overlays.

Hendrycks and Dietterich (2019, arXiv:1903.12261) blend crops of six photographs of frost on a
window into the image. Those photographs are not shipped here, so the texture is synthesised:
ice needles (sparse seeds smeared along a few random directions by kornia's motion blur) whose
density follows a plasma cloud, over a faint cloudy film and a fine grain, bluish white. Its
mean, about 0.35, is close to the photographs' and its sizes follow the image's side.
"""

from __future__ import annotations

import torch
from kornia.filters import gaussian_blur2d, motion_blur

from inspector.core.corruptions.plasma import plasma
from inspector.core.corruptions.scale import odd_kernel, pixels

#: Needle directions per texture, the share of pixels that start a needle, and its length (pixels at 224).
DIRECTIONS, SEED_SHARE, NEEDLE_LENGTH = 4, 0.03, 14
#: The tint of ice (R, G, B): white with a little blue.
ICE = (0.86, 0.93, 1.0)


def frost_texture(n: int, channels: int, h: int, w: int, g: torch.Generator) -> torch.Tensor:
    """(n, channels, h, w) frost in [0, 1], drawn from ``g``; ``channels`` 3 is tinted, 1 is grey."""
    cloud = plasma(n, h, w, 0.6, g)
    size = odd_kernel(pixels(torch.empty(1, 1, h, w), NEEDLE_LENGTH))
    needles = torch.zeros(n, 1, h, w)
    for _ in range(DIRECTIONS):
        seeds = (torch.rand(n, 1, h, w, generator=g) < SEED_SHARE * cloud).float()
        angle = torch.rand(n, generator=g) * 180
        needles += motion_blur(seeds, size, angle, torch.zeros(n)) * size / 3
    grain = gaussian_blur2d(torch.rand(n, 1, h, w, generator=g), (3, 3), (0.6, 0.6))
    texture = (0.3 * cloud + 0.6 * (1 - torch.exp(-needles)) + 0.2 * grain).clamp(0, 1)
    if channels == 1:
        return texture
    return texture * torch.tensor(ICE).view(1, 3, 1, 1)
