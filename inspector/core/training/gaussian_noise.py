"""Gaussian noise augmentation, the base-classifier training of randomized smoothing (Cohen,
Rosenfeld and Kolter 2019, "Certified Adversarial Robustness via Randomized Smoothing",
arXiv:1902.02918, section 4): every training input is replaced by x + delta, delta ~ N(0, sigma^2 I),
drawn afresh for each batch, and the network minimises the cross-entropy on it. The noisy input
is not clipped to [0, 1], as the smoothed classifier that is certified later does not clip either.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class GaussianNoiseLoss:
    """A :class:`~inspector.core.training.loop.BatchLoss`: cross-entropy on x + N(0, sigma^2 I).

    Attributes:
        sigma: the noise standard deviation in [0, 1] pixel units (Cohen et al.: the sigma the
            smoothed classifier is certified with).
    """

    sigma: float = 0.25

    def __call__(
        self, net: nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int, progress: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        noise = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed), dtype=x.dtype)
        logits = net(x + self.sigma * noise.to(x.device))
        return F.cross_entropy(logits, y), logits
