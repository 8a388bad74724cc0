"""The random views of :class:`~inspector.core.physical.views.Views`, drawn with kornia's
differentiable perspective warp and Gaussian blur (kept apart so that the parameters import
without torch)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import torch
from kornia.filters import gaussian_blur2d
from kornia.geometry.transform import get_perspective_transform, warp_perspective

if TYPE_CHECKING:
    from inspector.core.physical.views import Views

#: The side, in pixels, at which ``blur`` is measured (the road-sign models' input).
BLUR_REFERENCE = 32
#: The focal length of the pinhole camera of the viewing angle, in half-widths of the image.
FOCAL = 3.0
#: The smallest blur sigma drawn (a sharper kernel is the identity; zero would divide by zero).
MIN_SIGMA = 1e-2


def random_views(views: Views, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One random view drawn from ``views`` of each image of ``x`` (N, C, H, W) in [0, 1] -> (N, C, H, W) in [0, 1]."""
    n, _, h, w = x.shape

    def uniform(low: float, high: float) -> torch.Tensor:
        return low + (high - low) * torch.rand(n, generator=generator, dtype=torch.float64)

    scale = torch.exp(uniform(math.log(views.scale_min), math.log(views.scale_max)))
    matrix = _homography(
        h,
        w,
        uniform(-views.rotation, views.rotation),
        scale,
        uniform(-views.angle, views.angle),
        uniform(-views.angle, views.angle),
    ).to(x)
    out = warp_perspective(x, matrix, (h, w), padding_mode="border", align_corners=True)
    light = uniform(1 - views.brightness, 1 + views.brightness).to(x).view(n, 1, 1, 1)
    out = out * light
    if views.blur > 0:
        sigma = uniform(0.0, views.blur * max(h, w) / BLUR_REFERENCE).clamp(min=MIN_SIGMA).to(x)
        size = 2 * math.ceil(3 * float(sigma.max())) + 1
        out = gaussian_blur2d(out, size, sigma.view(n, 1).expand(n, 2).contiguous())
    if views.noise > 0:
        out = out + views.noise * torch.randn(out.shape, generator=generator).to(x)
    return out.clamp(0.0, 1.0)


def _homography(
    h: int, w: int, degrees: torch.Tensor, scale: torch.Tensor, yaw: torch.Tensor, pitch: torch.Tensor
) -> torch.Tensor:
    """(N, 3, 3) float64 maps from image pixels to view pixels: the image plane, scaled and rotated
    about its centre, then turned by ``yaw`` and ``pitch`` degrees in front of a pinhole camera."""
    cx, cy = (w - 1) / 2, (h - 1) / 2
    half = max(cx, cy, 1.0)
    # the corners in half-widths about the centre
    corners = torch.tensor([[-cx, -cy], [cx, -cy], [cx, cy], [-cx, cy]], dtype=torch.float64) / half
    theta = torch.deg2rad(degrees).view(-1, 1)
    u = scale.view(-1, 1) * (corners[:, 0] * torch.cos(theta) - corners[:, 1] * torch.sin(theta))
    v = scale.view(-1, 1) * (corners[:, 0] * torch.sin(theta) + corners[:, 1] * torch.cos(theta))
    a, b = torch.deg2rad(yaw).view(-1, 1), torch.deg2rad(pitch).view(-1, 1)
    # turn the plane (u, v, 0) about the vertical axis, then the horizontal one; the camera sits at z = -FOCAL
    x1, z1 = u * torch.cos(a), u * torch.sin(a)
    y2, z2 = v * torch.cos(b) - z1 * torch.sin(b), v * torch.sin(b) + z1 * torch.cos(b)
    depth = FOCAL / (FOCAL + z2)
    target = torch.stack([cx + half * x1 * depth, cy + half * y2 * depth], dim=-1)
    source = (corners * half + torch.tensor([cx, cy], dtype=torch.float64)).expand_as(target)
    return get_perspective_transform(source, target)
