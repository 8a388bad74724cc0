"""Where an adversarial patch lands in a scene: a random position, rotation and scale per image,
drawn with kornia's differentiable affine warp (Brown, Mane, Roy, Abadi and Gilmer 2017,
"Adversarial Patch", arXiv:1712.09665, train and test over such placements).

A patch is stored centred in the model's input frame (its pattern and its mask, see
:class:`~inspector.core.physical.result.PhysicalResult`); :func:`place` moves it.
"""

from __future__ import annotations

import torch
from kornia.geometry.transform import get_rotation_matrix2d, warp_affine

#: The largest rotation of a placed patch, degrees.
ROTATION = 20.0
#: The range of a placed patch's scale, about its stored size.
SCALE = (0.8, 1.2)


def place(pattern: torch.Tensor, mask: torch.Tensor, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Each image of ``x`` (N, C, H, W) in [0, 1] with the patch (``pattern`` (C, H, W) inside ``mask``
    (1, H, W), centred) pasted at a random place, rotation within +-:data:`ROTATION` degrees and
    scale in :data:`SCALE`, wholly inside the frame -> (N, C, H, W); differentiable in ``pattern``."""
    n, _, h, w = x.shape
    rows, cols = mask[0].nonzero(as_tuple=True)
    extent = max(int(rows.max() - rows.min()) + 1, int(cols.max() - cols.min()) + 1)

    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(n, generator=generator)

    scale = uniform(*SCALE)
    angle = uniform(-ROTATION, ROTATION)
    # the rotated patch's half-diagonal bounds how far from the centre it may go and stay inside
    reach = scale * extent * 2**0.5 / 2
    dx = uniform(-1.0, 1.0) * (w / 2 - reach).clamp(min=0)
    dy = uniform(-1.0, 1.0) * (h / 2 - reach).clamp(min=0)
    centre = torch.tensor([[(w - 1) / 2, (h - 1) / 2]]).expand(n, 2)
    matrix = get_rotation_matrix2d(centre, angle, torch.stack([scale, scale], dim=1))
    shift = torch.zeros(n, 2, 3)
    shift[:, 0, 2], shift[:, 1, 2] = dx, dy
    matrix = (matrix + shift).to(x)
    patch = warp_affine(pattern.expand(n, -1, -1, -1), matrix, (h, w), align_corners=True)
    cover = warp_affine(mask.expand(n, -1, -1, -1), matrix, (h, w), align_corners=True)
    return x * (1 - cover) + patch * cover
