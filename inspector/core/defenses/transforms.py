"""Input-transform defences: each maps (N, C, H, W) in [0, 1] to the same shape and range.

Non-differentiable ones (JPEG, median, bit depth) are attacked adaptively by
BPDA with the identity on the backward pass; blur and resizing are
differentiable torch ops; random resize-and-pad is randomised (EOT).
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from PIL import Image

from inspector.core.defenses.base import Defense, register
from inspector.core.io.image import to_pil, to_tensor
from inspector.core.util.params import MAX_SEED, param


@register
@dataclass
class JPEG(Defense):
    """JPEG compression with Pillow's encoder at ``quality`` and its default settings.

    Each image is quantised to 8 bits, encoded to JPEG bytes and decoded again.
    Not differentiable: BPDA with the identity. Dziugaite, Ghahramani and Roy
    2016, "A study of the effect of JPG compression on adversarial images",
    arXiv:1608.00853; Guo, Rana, Cisse and van der Maaten 2018, "Countering
    Adversarial Images using Input Transformations", arXiv:1711.00117.
    """

    name = "jpeg"
    title = "JPEG compression"
    paper = "Dziugaite, Ghahramani and Roy 2016, arXiv:1608.00853; Guo et al. 2018, arXiv:1711.00117"

    quality: int = param(75, "JPEG quality (Pillow scale, 1 worst to 95 best)", minimum=1, maximum=95)

    def transform(self, x, generator=None):
        out = []
        for image in x.detach():
            pil, buffer = to_pil(image), io.BytesIO()
            pil.save(buffer, format="JPEG", quality=self.quality)
            buffer.seek(0)
            with Image.open(buffer) as decoded:
                out.append(to_tensor(decoded.convert(pil.mode)))
        return torch.cat(out).to(x.device)


@register
@dataclass
class GaussianBlur(Defense):
    """Gaussian blur with standard deviation ``sigma`` pixels (kernel radius ceil(3 sigma), reflect padding).

    Differentiable. A spatial-smoothing defence in the family studied by
    Guo et al. 2018, arXiv:1711.00117, and Xu, Evans and Qi 2018, arXiv:1704.01155.
    """

    name = "blur"
    title = "Gaussian blur"
    paper = "Xu, Evans and Qi 2018, arXiv:1704.01155; Guo et al. 2018, arXiv:1711.00117"
    differentiable = True

    sigma: float = param(1.0, "standard deviation, in pixels", minimum=0.1, maximum=10.0)

    def transform(self, x, generator=None):
        radius = min(math.ceil(3 * self.sigma), min(x.shape[-2:]) - 1)
        t = torch.arange(-radius, radius + 1, dtype=x.dtype, device=x.device)
        kernel = torch.exp(-0.5 * (t / self.sigma) ** 2)
        kernel = kernel / kernel.sum()
        c = x.shape[1]
        out = F.pad(x, (radius, radius, radius, radius), mode="reflect")
        out = F.conv2d(out, kernel.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
        return F.conv2d(out, kernel.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)


@register
@dataclass
class MedianFilter(Defense):
    """Median filter (spatial smoothing) over ``size`` x ``size`` windows, reflect padding.

    Xu, Evans and Qi 2018, "Feature Squeezing: Detecting Adversarial Examples
    in Deep Neural Networks", NDSS, arXiv:1704.01155. Its gradient reaches one
    pixel per window: BPDA with the identity.
    """

    name = "median"
    title = "Median filter"
    paper = "Xu, Evans and Qi 2018, Feature Squeezing, arXiv:1704.01155"

    size: int = param(3, "window side, in pixels", minimum=2, maximum=11)

    def transform(self, x, generator=None):
        k = self.size
        padded = F.pad(x, ((k - 1) // 2, k // 2, (k - 1) // 2, k // 2), mode="reflect")
        windows = padded.unfold(2, k, 1).unfold(3, k, 1)
        return windows.reshape(*x.shape, k * k).median(dim=-1).values


@register
@dataclass
class BitDepth(Defense):
    """Bit-depth reduction to ``bits`` bits per channel: round(x (2^b - 1)) / (2^b - 1).

    Xu, Evans and Qi 2018, Feature Squeezing, arXiv:1704.01155. Zero gradient
    almost everywhere: BPDA with the identity.
    """

    name = "bitdepth"
    title = "Bit-depth reduction"
    paper = "Xu, Evans and Qi 2018, Feature Squeezing, arXiv:1704.01155"

    bits: int = param(4, "bits per channel", minimum=1, maximum=8)

    def transform(self, x, generator=None):
        levels = 2**self.bits - 1
        return (x.clamp(0.0, 1.0) * levels).round() / levels


@register
@dataclass
class Resize(Defense):
    """Down-and-up resizing: bilinear (antialiased) to ``scale`` times the size, then back.

    Differentiable. A resizing defence in the spirit of Guo et al. 2018,
    arXiv:1711.00117, and Xie et al. 2018, arXiv:1711.01991.
    """

    name = "resize"
    title = "Down-and-up resizing"
    paper = "Guo et al. 2018, arXiv:1711.00117; Xie et al. 2018, arXiv:1711.01991"
    differentiable = True

    scale: float = param(0.5, "intermediate size as a fraction of the input size", minimum=0.1, maximum=1.0)

    def transform(self, x, generator=None):
        h, w = x.shape[-2:]
        small = (max(1, round(h * self.scale)), max(1, round(w * self.scale)))
        down = F.interpolate(x, size=small, mode="bilinear", antialias=True, align_corners=False)
        return F.interpolate(down, size=(h, w), mode="bilinear", align_corners=False).clamp(0.0, 1.0)


@register
@dataclass
class RandomResizePad(Defense):
    """Random resizing and padding, per image (Xie, Wang, Zhang, Ren and Yuille 2018, arXiv:1711.01991).

    Xie et al. enlarge a 299x299 input to a random size and zero-pad it to
    331x331. Here the model's input size is kept: each image is resized
    (bilinear) to a random side in [min_scale * H, H] and zero-padded at a
    random offset back to H x W. Differentiable but randomised: an adaptive
    attack uses EOT. Draws come from ``generator``, or from a fresh one seeded
    with ``seed``, so a non-adaptive evaluation is reproducible.
    """

    name = "randpad"
    title = "Random resize and pad"
    paper = (
        "Xie, Wang, Zhang, Ren and Yuille 2018, Mitigating Adversarial Effects Through Randomization, arXiv:1711.01991"
    )
    differentiable = True
    randomized = True

    min_scale: float = param(0.85, "smallest resize factor", minimum=0.5, maximum=1.0)
    seed: int = param(0, "seed of the random draws", minimum=0, maximum=MAX_SEED)

    def transform(self, x, generator=None):
        g = generator if generator is not None else torch.Generator().manual_seed(self.seed)
        h, w = x.shape[-2:]
        out = []
        for image in x:
            side = int(torch.randint(round(self.min_scale * min(h, w)), min(h, w) + 1, (1,), generator=g))
            nh, nw = max(1, round(side * h / min(h, w))), max(1, round(side * w / min(h, w)))
            nh, nw = min(nh, h), min(nw, w)
            top = int(torch.randint(0, h - nh + 1, (1,), generator=g))
            left = int(torch.randint(0, w - nw + 1, (1,), generator=g))
            small = F.interpolate(image[None], size=(nh, nw), mode="bilinear", align_corners=False)
            out.append(F.pad(small, (left, w - nw - left, top, h - nh - top)))
        return torch.cat(out).clamp(0.0, 1.0)
