"""The network of the learned adversarial detector: a small convolutional binary classifier on the input.

Metzen, Genewein, Fischer and Bischoff 2017, "On Detecting Adversarial Perturbations", ICLR,
arXiv:1702.04267, attach their detector to an intermediate layer of the classifier. This one
reads the input image itself (the variant the issue allows), so it works with every model the
tool loads, ONNX and TorchScript included; it is still trained on the adversarials of one attack
on one model (:mod:`inspector.core.learned_detector.train`).
"""

from __future__ import annotations

import torch
from torch import nn

#: The most filters of the first convolution (the others have twice and four times as many).
MAX_WIDTH = 128
#: The largest input side the detector is built for, in pixels.
MAX_SIDE = 1024
#: The most input channels.
MAX_CHANNELS = 4


class DetectorNet(nn.Module):
    """x (N, C, H, W) in [0, 1] -> (N,) logits, higher meaning adversarial.

    Three 3x3 convolutions (``width``, 2 ``width``, 4 ``width`` filters; ReLU; the first two at full
    resolution so a pixel-level perturbation is still visible, then max-pooled), a global
    average and a linear unit. Any H and W: the input size is checked by its users.
    """

    def __init__(self, channels: int, width: int = 16):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(channels, width, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(width, 2 * width, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(2 * width, 4 * width, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.head = nn.Linear(4 * width, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x - 0.5)).squeeze(1)
