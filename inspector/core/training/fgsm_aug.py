"""FGSM augmentation (Goodfellow, Shlens and Szegedy 2015, "Explaining and Harnessing Adversarial
Examples", arXiv:1412.6572, section 6), the seed articles' adversarial training:

    J~(x, y) = alpha * CE(f(x), y) + (1 - alpha) * CE(f(x + eps * sign(grad_x CE(f(x), y))), y)

a mix of the clean loss and the loss on one FGSM step from the clean input, at a fixed eps
(0.1 on MNIST in the seed articles). It resists FGSM and not PGD: the baseline the iterative
methods are measured against. The FGSM step runs with the network in eval mode.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from inspector.core.attacks.fgsm import FGSM


@dataclass
class FgsmAugmentedLoss:
    """A :class:`~inspector.core.training.loop.BatchLoss`: alpha x clean CE + (1 - alpha) x FGSM CE.

    Attributes:
        eps: the FGSM step in [0, 1] pixel units.
        alpha: weight of the clean loss in [0, 1] (Goodfellow et al.: 0.5).
    """

    eps: float = 0.1
    alpha: float = 0.5

    def __call__(
        self, net: nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int, progress: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        net.eval()
        x_adv = FGSM(eps=self.eps).run(net, x, y).x_adv
        net.train()
        logits = net(x)
        adversarial = F.cross_entropy(net(x_adv), y)
        return self.alpha * F.cross_entropy(logits, y) + (1 - self.alpha) * adversarial, logits
