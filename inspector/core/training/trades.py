"""TRADES (Zhang, Yu, Jiao, Xing, El Ghaoui and Jordan 2019, "Theoretically Principled Trade-off
between Robustness and Accuracy", arXiv:1901.08573).

    min_theta E_(x,y) [ CE(f(x), y) + beta * max_{||x' - x||_inf <= eps} KL(p(x) || p(x')) ]

The inner maximisation is PGD on the KL divergence from the clean prediction, started at
x + 0.001 * N(0, 1) as in the paper's code, run with the network in eval mode; the outer
minimisation trains on the clean cross-entropy plus beta times the KL term at the point found.
Larger beta trades clean accuracy for robustness (the paper uses 6 on CIFAR-10). eps ramps
up linearly over the first ``warmup`` epochs, as in :mod:`inspector.core.training.pgd_at`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from inspector.core.training.warmup import InnerBudget


@dataclass
class TradesLoss(InnerBudget):
    """A :class:`~inspector.core.training.loop.BatchLoss`: clean CE plus beta x the worst-case KL
    within the :class:`~inspector.core.training.warmup.InnerBudget`.

    Attributes:
        beta: weight of the robustness (KL) term, >= 0.
    """

    beta: float = 6.0

    def __call__(
        self, net: nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int, progress: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        eps = self.eps_at(progress)
        net.eval()
        x_adv = worst_kl(net, x, eps, self.step_for(eps), self.steps, seed)
        net.train()
        logits = net(x)
        robust = F.kl_div(F.log_softmax(net(x_adv), 1), F.softmax(logits, 1), reduction="batchmean")
        return F.cross_entropy(logits, y) + self.beta * robust, logits


def worst_kl(net: nn.Module, x: torch.Tensor, eps: float, step: float, steps: int, seed: int) -> torch.Tensor:
    """x' (N, C, H, W) in [0, 1] within Linf ``eps`` of x that PGD finds to maximise KL(p(x) || p(x'));
    ``seed`` draws the start x + 0.001 * N(0, 1)."""
    with torch.no_grad():
        target = F.softmax(net(x), 1)
    noise = torch.randn(x.shape, generator=torch.Generator().manual_seed(seed)).to(x.device)
    x_adv = (x + 0.001 * noise).clamp(0.0, 1.0)
    for _ in range(steps):
        x_adv.requires_grad_(True)
        kl = F.kl_div(F.log_softmax(net(x_adv), 1), target, reduction="sum")
        (grad,) = torch.autograd.grad(kl, x_adv)
        with torch.no_grad():
            x_adv = torch.minimum(torch.maximum(x_adv + step * grad.sign(), x - eps), x + eps).clamp(0.0, 1.0)
    return x_adv.detach()
