"""Standard training: minimise softmax cross-entropy on clean inputs."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def cross_entropy_loss(
    net: nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int, progress: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean cross-entropy of ``net(x)`` against labels y (N,); a :class:`~inspector.core.training.loop.BatchLoss`."""
    logits = net(x)
    return F.cross_entropy(logits, y), logits
