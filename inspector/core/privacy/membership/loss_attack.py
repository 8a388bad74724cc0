"""The loss threshold attack (Yeom, Giacomelli, Fredrikson and Jha 2018, "Privacy Risk in
Machine Learning: Analyzing the Connection to Overfitting", arXiv:1709.01604).

A record is called a member when the model's loss on it is below a threshold. Yeom et
al. set the threshold at the mean training loss; sweeping every threshold gives the ROC
curve, whose operating points include theirs. The confidence threshold (p_y above a
threshold) calls the same records members, since the loss is -log p_y: one ROC for both.

The score is phi = log(p_y / (1 - p_y)), a decreasing function of the loss (loss =
log(1 + exp(-phi))), so it orders the records as -loss does; unlike the loss it does not
round to 0 for confidently fitted records (the distilled model's logits are about 100 times
larger than usual: its loss underflows even in float64, which would tie them).
"""

from __future__ import annotations

import torch
from torch import nn

from inspector.core.privacy.membership.scores import logit_confidence, logits_of


def loss_scores(net: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(N,) float64 membership scores phi (higher: lower loss, more likely a member), for
    x (N, 1, 28, 28) in [0, 1] and y (N,)."""
    return logit_confidence(logits_of(net, x).double(), y)
