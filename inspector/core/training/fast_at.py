"""Fast adversarial training: FGSM with a random start (Wong, Rice and Kolter 2020, "Fast is better
than free: Revisiting adversarial training", arXiv:2001.03994).

    delta ~ U(-eps, eps);  delta <- clip(delta + 1.25 eps * sign(grad_delta CE(f(x + delta), y)), -eps, eps)

then one step on CE(f(x + delta), y): one gradient for the attack per batch instead of PGD's
``steps``. Its failure mode is *catastrophic overfitting*: within an epoch the network learns
to defeat the single FGSM step while PGD accuracy falls to about zero. :func:`overfitting_check`
tells it apart after each epoch, as the paper does, on a fixed batch of training images.
The attack step runs with the network in eval mode, as the other methods' inner steps here.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from inspector.core.attacks.fgsm import FGSM
from inspector.core.attacks.pgd import PGD
from inspector.core.training.warmup import ramped_eps

#: The paper's FGSM step, as a multiple of eps.
STEP_RATIO = 1.25
#: Catastrophic overfitting is flagged when PGD accuracy on the check batch is under this share of
#: FGSM accuracy while FGSM accuracy is at least :data:`HIGH_FGSM_ACCURACY`.
COLLAPSE_RATIO = 0.2
HIGH_FGSM_ACCURACY = 0.5


@dataclass
class FastAdversarialLoss:
    """A :class:`~inspector.core.training.loop.BatchLoss`: CE on FGSM-with-random-start adversarials.

    Attributes:
        eps: Linf budget in [0, 1] pixel units.
        warmup: epochs over which eps grows linearly from 0 to ``eps``.
    """

    eps: float = 0.3
    warmup: float = 0.0

    def eps_at(self, progress: float) -> float:
        """The budget used after ``progress`` epochs of training."""
        return ramped_eps(self.eps, self.warmup, progress)

    def __call__(
        self, net: nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int, progress: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        eps = self.eps_at(progress)
        start = torch.rand(x.shape, generator=torch.Generator().manual_seed(seed)).to(x.device)
        delta = ((x + (2 * start - 1) * eps).clamp(0.0, 1.0) - x).requires_grad_(True)
        net.eval()
        (grad,) = torch.autograd.grad(F.cross_entropy(net(x + delta), y), delta)
        net.train()
        with torch.no_grad():
            delta = (delta + STEP_RATIO * eps * grad.sign()).clamp(-eps, eps)
            x_adv = (x + delta).clamp(0.0, 1.0)
        logits = net(x_adv)
        return F.cross_entropy(logits, y), logits


@dataclass
class OverfittingCheck:
    """One epoch's check: accuracies in [0, 1] under FGSM and under PGD-10 at the training eps."""

    epoch: int
    fgsm: float
    pgd: float

    @property
    def collapsed(self) -> bool:
        """PGD accuracy near zero while FGSM accuracy stays high: catastrophic overfitting."""
        return self.fgsm >= HIGH_FGSM_ACCURACY and self.pgd < COLLAPSE_RATIO * self.fgsm


def overfitting_check(net: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, epoch: int) -> OverfittingCheck:
    """FGSM and PGD-10 (random start, step eps/4) accuracy of ``net`` (eval mode) on x (N, C, H, W)
    in [0, 1], y (N,) at Linf ``eps``."""

    def accuracy(x_adv: torch.Tensor) -> float:
        with torch.no_grad():
            return (net(x_adv).argmax(1) == y).float().mean().item()

    fgsm = FGSM(eps=eps).run(net, x, y).x_adv
    pgd = PGD(eps=eps, step_size=eps / 4, steps=10, random_start=True, seed=epoch).run(net, x, y).x_adv
    return OverfittingCheck(epoch, accuracy(fgsm), accuracy(pgd))
