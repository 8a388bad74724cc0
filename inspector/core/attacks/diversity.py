"""M-DI²-FGSM: MI-FGSM with input diversity, for adversarials that transfer to other models.

Xie, Zhang, Zhou, Bai, Wang, Ren and Yuille 2019, "Improving Transferability of
Adversarial Examples with Input Diversity", CVPR, arXiv:1803.06978.

At each iteration, with probability p, the gradient is taken on a randomly
transformed iterate: resized (nearest neighbour) to a random side r in
[ratio * H, H) and zero-padded back to H x W at a random offset. The paper
enlarges 299 to [299, 330) and pads to 330 for an Inception that takes any
size; a model of fixed input size gets the same ratio (299 / 330 = 0.906)
the other way round, shrink and pad. The transform is differentiable (torch's
interpolate and pad), so the gradient flows through it to the iterate; the
momentum is MI-FGSM's (Dong et al. 2018, arXiv:1710.06081).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from inspector.core.attacks.base import register
from inspector.core.attacks.mifgsm import MIFGSM
from inspector.core.util.params import param


def diverse_input(x: torch.Tensor, p: float, ratio: float, generator: torch.Generator) -> torch.Tensor:
    """With probability ``p`` per image, x (N, C, H, W) shrunk to a random side in [ratio * H, H)
    (nearest neighbour) and zero-padded back to H x W at a random offset; else x unchanged.
    One side and offset per call, drawn from ``generator``; differentiable in x."""
    n, _, h, w = x.shape
    low = max(int(ratio * h), 1)
    if low >= h:
        return x
    side = int(torch.randint(low, h, (1,), generator=generator))
    side_w = max(round(side * w / h), 1)
    top = int(torch.randint(0, h - side + 1, (1,), generator=generator))
    left = int(torch.randint(0, w - side_w + 1, (1,), generator=generator))
    small = F.interpolate(x, size=(side, side_w), mode="nearest")
    padded = F.pad(small, (left, w - side_w - left, top, h - side - top))
    chosen = (torch.rand(n, generator=generator) < p).to(x.device).view(-1, 1, 1, 1)
    return torch.where(chosen, padded, x)


@register
@dataclass
class DIMIFGSM(MIFGSM):
    """MI-FGSM with input diversity, M-DI²-FGSM (Xie et al. 2019, arXiv:1803.06978).

    Shapes: x (N, C, H, W) in [0, 1], y and target (N,). ``steps`` gradient
    evaluations, each on the transformed iterate (see :func:`diverse_input`);
    ``Step`` reports that forward pass. Meant for transfer: run it on a
    surrogate, test the adversarial on the target.
    """

    name = "dimifgsm"
    title = "M-DI²-FGSM"
    paper = (
        "Xie, Zhang, Zhou, Bai, Wang, Ren and Yuille 2019, Improving Transferability of Adversarial "
        "Examples with Input Diversity, arXiv:1803.06978"
    )

    diversity_prob: float = param(
        0.5, "probability p of transforming the input at each step (paper: 0.5)", minimum=0.0, maximum=1.0
    )
    resize_ratio: float = param(
        0.9,
        "smallest side of the random resize, as a fraction of the image's (paper: 299/330 = 0.906)",
        minimum=0.1,
        maximum=1.0,
    )
    seed: int = param(0, "seed of the random transforms", minimum=0, maximum=2**63 - 1)

    def model_input(self):
        generator = torch.Generator().manual_seed(self.seed)
        return lambda x_adv: diverse_input(x_adv, self.diversity_prob, self.resize_ratio, generator)
