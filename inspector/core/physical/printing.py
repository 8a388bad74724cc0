"""What printing a sticker and photographing it does to its colours: the printable palette, the
non-printability score (Sharif, Bhagavatula, Bauer and Reiter 2016, "Accessorize to a Crime: Real
and Stealthy Attacks on State-of-the-Art Face Recognition", CCS), and the camera's 8-bit JPEG.

An office printer reaches neither pure black nor the paper's white, nor saturated screen colours:
:data:`PALETTE` stands for what it can print, a grid of :data:`LEVELS` levels per channel between
:data:`INK` and :data:`PAPER`. A colour off the grid prints as the nearest one (:func:`snap`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import torch
from kornia.filters import gaussian_blur2d
from PIL import Image

from inspector.core.io.image import quantize
from inspector.core.util.params import Configurable, param

#: The darkest value an ink reaches and the paper's white, in [0, 1] pixel units.
INK, PAPER = 0.08, 0.92
#: Printable levels per channel.
LEVELS = 4
#: (LEVELS**3, 3) the printable colours, RGB in [0, 1].
PALETTE = torch.cartesian_prod(*[torch.linspace(INK, PAPER, LEVELS)] * 3)


def snap(colours: torch.Tensor) -> torch.Tensor:
    """Each pixel of (N, 3, H, W) in [0, 1] replaced by its nearest printable colour (Euclidean in RGB)."""
    pixels = colours.permute(0, 2, 3, 1).reshape(-1, 3)
    nearest = torch.cdist(pixels, PALETTE.to(pixels)).argmin(dim=1)
    return PALETTE.to(pixels)[nearest].reshape(colours.shape[0], *colours.shape[2:], 3).permute(0, 3, 1, 2)


def snap_straight_through(colours: torch.Tensor) -> torch.Tensor:
    """:func:`snap` in the forward pass, the identity in the backward pass (so an optimiser sees the print)."""
    return colours + (snap(colours) - colours).detach()


def non_printability(colours: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The non-printability score of the masked pixels: 0 when every one is printable.

    Sharif et al.'s score sums, over pixels p, the product over palette colours c of |p - c|; as in
    Thys, Van Ranst and Goedeme 2019 (arXiv:1904.08653), the product is replaced by the minimum,
    which has the same zeros (the palette) without a product of 64 factors below 1 underflowing,
    and the sum by the mean over the mask's pixels, so the score is in [0, sqrt(3)] whatever its size.

    Args:
        colours: (N, 3, H, W) in [0, 1]. mask: (1, H, W) or (N, 1, H, W), 1 on the sticker.

    Returns:
        (N,) scores.
    """
    pixels = colours.permute(0, 2, 3, 1)
    per_pixel = (pixels.unsqueeze(-2) - PALETTE.to(colours)).norm(dim=-1).min(dim=-1).values  # (N, H, W)
    weight = mask.expand(colours.shape[0], 1, *colours.shape[2:])[:, 0]
    return (per_pixel * weight).sum(dim=(1, 2)) / weight.sum(dim=(1, 2)).clamp(min=1)


@dataclass(frozen=True)
class Camera(Configurable):
    """The camera that photographs a printed view: lens blur, sensor noise, JPEG, 8 bits.

    ``photograph(x, generator)`` maps (N, C, H, W) in [0, 1] to the 8-bit photos (multiples of 1/255);
    not differentiable (JPEG), for evaluation only.
    """

    name = "camera"

    blur: float = param(0.5, "lens blur sigma, pixels at 32 pixels per side", minimum=0.0, maximum=4.0)
    noise: float = param(0.01, "sensor noise standard deviation, [0, 1] pixel units", minimum=0.0, maximum=0.2)
    jpeg_quality: int = param(75, "JPEG quality of the photo (100: no JPEG)", minimum=10, maximum=100)

    def photograph(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        out = x
        if self.blur > 0:
            sigma = self.blur * max(x.shape[-2:]) / 32
            size = 2 * int(np.ceil(3 * sigma)) + 1
            out = gaussian_blur2d(out, size, (sigma, sigma))
        if self.noise > 0:
            out = out + self.noise * torch.randn(out.shape, generator=generator).to(out)
        out = quantize(out)
        return out if self.jpeg_quality >= 100 else _jpeg(out, self.jpeg_quality)


def _jpeg(x: torch.Tensor, quality: int) -> torch.Tensor:
    """Each 8-bit image of (N, C, H, W) through a JPEG encoder at ``quality`` and back."""
    out = []
    for image in x:
        array = (image * 255).round().to(torch.uint8).permute(1, 2, 0).cpu().numpy()
        buffer = io.BytesIO()
        Image.fromarray(array[:, :, 0] if array.shape[2] == 1 else array).save(buffer, "JPEG", quality=quality)
        decoded = np.asarray(Image.open(buffer), dtype=np.uint8).reshape(array.shape)
        out.append(torch.from_numpy(decoded.copy()).permute(2, 0, 1).float() / 255)
    return torch.stack(out).to(x)
