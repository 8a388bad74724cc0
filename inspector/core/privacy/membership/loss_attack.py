"""The loss threshold attack (Yeom, Giacomelli, Fredrikson and Jha 2018, "Privacy Risk in
Machine Learning: Analyzing the Connection to Overfitting", arXiv:1709.01604).

A record is called a member when the model's loss on it is below a threshold. Yeom et
al. set the threshold at the mean training loss; sweeping every threshold gives the ROC
curve, whose operating points include theirs. The confidence threshold (p_y above a
threshold) calls the same records members, since the loss is -log p_y: one ROC for both.
"""

from __future__ import annotations

import torch
from torch import nn

from inspector.core.privacy.membership.scores import logits_of, loss


def loss_scores(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(N,) membership scores, -loss (higher: more likely a member), for x (N, 1, 28, 28) in [0, 1], y (N,)."""
    return -loss(logits_of(net, x), y)
