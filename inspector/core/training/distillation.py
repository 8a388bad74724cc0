"""Defensive distillation (Papernot, McDaniel, Wu, Jha and Swami 2016,
"Distillation as a Defense to Adversarial Perturbations against Deep Neural
Networks", IEEE S&P, arXiv:1511.04508).

1. Train a teacher with softmax at temperature T: CE(softmax(z / T), y).
2. Label the training set with the teacher's soft labels softmax(z_teacher / T).
3. Train a student of the same architecture on those soft labels, also at T.
4. Deploy the student at T = 1: its logits, about T times larger than a
   normally trained network's, saturate the softmax, so the gradient of
   softmax cross-entropy underflows to zero and gradient attacks on it stall.
   Attacks on the logits (Carlini and Wagner 2017, arXiv:1608.04644) do not.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class TemperatureLoss:
    """A :class:`~inspector.core.training.loop.BatchLoss`: cross-entropy of softmax(z / T).

    y may be labels (N,) (the teacher) or soft labels (N, K) summing to 1 (the student).
    """

    temperature: float = 100.0

    def __call__(
        self, net: nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int, progress: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        logits = net(x)
        log_p = F.log_softmax(logits / self.temperature, dim=1)
        if y.dim() == 1:
            return F.nll_loss(log_p, y), logits
        return -(y * log_p).sum(1).mean(), logits


def soft_labels(teacher: nn.Module, x: torch.Tensor, temperature: float, batch_size: int = 500) -> torch.Tensor:
    """The teacher's softmax(z / T) on x (N, C, H, W): (N, K) rows summing to 1, computed in eval mode."""
    teacher.eval()
    with torch.no_grad():
        return torch.cat(
            [(teacher(x[i : i + batch_size]) / temperature).softmax(1) for i in range(0, len(x), batch_size)]
        )
