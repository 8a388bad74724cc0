"""Data augmentation inside a training loss: each batch is drawn through random camera-like
changes before the loss sees it, with kornia's differentiable augmentations (Riba et al. 2020,
arXiv:1910.02190).

For road signs: small rotations, shifts and scalings (the sign is never mirrored: a mirrored
"keep left" is "keep right"), and brightness and contrast as in GTSRB's dusk and glare photos.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from inspector.core.training.loop import BatchLoss


def road_sign_augmentation() -> nn.Module:
    """Random rotation +-10 degrees, shift +-10 %, scale 0.9-1.1, brightness +-0.2 and contrast
    0.7-1.3, each image drawn independently; (N, 3, H, W) in [0, 1] -> the same shape and range."""
    import kornia.augmentation as K

    return nn.Sequential(
        K.RandomAffine(degrees=10.0, translate=(0.1, 0.1), scale=(0.9, 1.1), padding_mode="border", p=1.0),
        K.ColorJiggle(brightness=0.2, contrast=0.3, p=0.8),
    )


@dataclass
class Augmented:
    """A :class:`~inspector.core.training.loop.BatchLoss` that augments each batch, then applies ``loss``.

    The draws come from torch's global generator, which the training loop seeds per epoch, so a
    resumed run draws the same augmentations.
    """

    loss: BatchLoss
    augment: nn.Module

    def __call__(
        self, net: nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int, progress: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        with torch.no_grad():
            x = self.augment(x).clamp_(0, 1)
        return self.loss(net, x, y, seed=seed, progress=progress)
