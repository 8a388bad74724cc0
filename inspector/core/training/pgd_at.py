"""PGD adversarial training (Madry, Makelov, Schmidt, Tsipras and Vladu 2018,
"Towards Deep Learning Models Resistant to Adversarial Attacks", arXiv:1706.06083).

    min_theta E_(x,y) [ max_{||delta||_inf <= eps} CE(f_theta(x + delta), y) ]

The inner maximisation is the product's own :class:`~inspector.core.attacks.pgd.PGD`
(random start, sign steps, projection), run with the network in eval mode; its last
iterate is rounded to 8 bits as the attack's results are, without the attack's final
scoring pass (training needs no score). The outer minimisation trains on these adversarials only. To get going in few
epochs, eps ramps up linearly from 0 over the first ``warmup`` epochs.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from inspector.core.attacks.base import quantized
from inspector.core.attacks.pgd import PGD
from inspector.core.training.warmup import InnerBudget


@dataclass
class PGDAdversarialLoss(InnerBudget):
    """A :class:`~inspector.core.training.loop.BatchLoss`: CE on PGD adversarials, within the
    :class:`~inspector.core.training.warmup.InnerBudget` (whose ``warmup`` defaults to 2.4 epochs here)."""

    warmup: float = 2.4

    def __call__(
        self, net: nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int, progress: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        eps = self.eps_at(progress)
        attack = PGD(eps=eps, step_size=self.step_for(eps), steps=self.steps, loss="ce", random_start=True, seed=seed)
        net.eval()
        x_adv = quantized(x, attack.iterate(net, x, y)[0], attack.linf_bound())
        net.train()
        logits = net(x_adv)
        return F.cross_entropy(logits, y), logits
