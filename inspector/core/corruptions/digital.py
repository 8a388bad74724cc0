"""Digital corruptions (Hendrycks and Dietterich 2019, arXiv:1903.12261, section 3): contrast,
elastic transform (a stretched or contracted region), pixelation (upsampling a low-resolution
image) and JPEG compression. Contrast is kornia's, the elastic warp torch's grid sampling of a
kornia-smoothed field, pixelation and JPEG Pillow's. Strengths are ImageNet-C's (the elastic
displacement is a share of the image's side). Each takes (N, C, H, W) in [0, 1] (C 1 or 3), a
severity 1-5 and a seeded generator, and returns the same shape in [0, 1]."""

from __future__ import annotations

import io

import numpy as np
import torch
import torch.nn.functional as F
from kornia.enhance import adjust_contrast_with_mean_subtraction
from kornia.filters import gaussian_blur2d
from PIL import Image

from inspector.core.corruptions.scale import odd_kernel

#: The factor on the distance from the mean.
CONTRAST = (0.4, 0.3, 0.2, 0.1, 0.05)
#: The displacement's root mean square, as a share of the shorter side.
ELASTIC_DISPLACEMENT = (0.006, 0.009, 0.012, 0.016, 0.02)
#: The displacement field's smoothness (Gaussian sigma), as a share of the shorter side.
ELASTIC_SMOOTHNESS = 0.04
#: The side of the low-resolution copy, as a share of the image's.
PIXELATE = (0.6, 0.5, 0.4, 0.3, 0.25)
#: Pillow's JPEG quality.
JPEG_QUALITY = (25, 18, 15, 10, 7)


def contrast(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    return adjust_contrast_with_mean_subtraction(x, CONTRAST[severity - 1]).clamp(0, 1)


def elastic_transform(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    """Each pixel moved along a smooth random field (Simard, Steinkraus and Platt 2003)."""
    n, _, h, w = x.shape
    side = min(h, w)
    sigma = max(ELASTIC_SMOOTHNESS * side, 0.5)
    size = odd_kernel(2 * sigma)
    field = gaussian_blur2d(torch.rand(n, 2, h, w, generator=g) * 2 - 1, (size, size), (sigma, sigma))
    rms = field.pow(2).mean(dim=(1, 2, 3), keepdim=True).sqrt().clamp_min(1e-12)
    shift = field / rms * ELASTIC_DISPLACEMENT[severity - 1] * side  # pixels
    ys, xs = torch.meshgrid(torch.linspace(-1, 1, h), torch.linspace(-1, 1, w), indexing="ij")
    grid = torch.stack([xs + shift[:, 0] * 2 / max(w - 1, 1), ys + shift[:, 1] * 2 / max(h - 1, 1)], dim=-1)
    return F.grid_sample(x, grid.to(x), mode="bilinear", padding_mode="reflection", align_corners=True).clamp(0, 1)


def _per_image(x: torch.Tensor, change) -> torch.Tensor:
    """``change(PIL image) -> PIL image`` applied to each image of ``x`` as 8-bit pixels."""
    out = []
    for image in x:
        pixels = image.mul(255).round().clamp(0, 255).to(torch.uint8).permute(1, 2, 0).numpy()
        picture = Image.fromarray(pixels[:, :, 0] if pixels.shape[2] == 1 else pixels)
        changed = np.asarray(change(picture), dtype=np.uint8).reshape(pixels.shape)
        out.append(torch.from_numpy(changed.copy()).permute(2, 0, 1))
    return torch.stack(out).to(x) / 255


def pixelate(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    h, w = x.shape[-2:]
    small = (max(1, round(w * PIXELATE[severity - 1])), max(1, round(h * PIXELATE[severity - 1])))
    box = Image.Resampling.BOX
    return _per_image(x, lambda picture: picture.resize(small, box).resize((w, h), box))


def jpeg_compression(x: torch.Tensor, severity: int, g: torch.Generator) -> torch.Tensor:
    def compress(picture: Image.Image) -> Image.Image:
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=JPEG_QUALITY[severity - 1])
        buffer.seek(0)
        return Image.open(buffer).convert(picture.mode)

    return _per_image(x, compress)
