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
from inspector.core.training.warmup import ramped_eps


@dataclass
class PGDAdversarialLoss:
    """A :class:`~inspector.core.training.loop.BatchLoss`: CE on PGD adversarials.

    Attributes:
        eps: Linf budget in [0, 1] pixel units (0.3 = 76.5 grey levels, as Madry et al. on MNIST).
        steps: PGD iterations of the inner maximisation.
        step_size: PGD step in [0, 1] pixel units; None: 2.5 * eps / steps (Madry et al.'s rule).
        warmup: epochs over which eps grows linearly from 0 to ``eps``.
    """

    eps: float = 0.3
    steps: int = 10
    step_size: float | None = None
    warmup: float = 2.4

    def eps_at(self, progress: float) -> float:
        """The budget used after ``progress`` epochs of training."""
        return ramped_eps(self.eps, self.warmup, progress)

    def __call__(
        self, net: nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int, progress: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        eps = self.eps_at(progress)
        step = self.step_size if self.step_size is not None else 2.5 * eps / self.steps
        attack = PGD(eps=eps, step_size=step, steps=self.steps, loss="ce", random_start=True, seed=seed)
        net.eval()
        x_adv = quantized(x, attack.iterate(net, x, y)[0], attack.linf_bound())
        net.train()
        logits = net(x_adv)
        return F.cross_entropy(logits, y), logits
