"""What a membership attack reads from a model's output on a record (x, y).

- the loss, the cross-entropy -log p_y = log(1 + exp(-phi)) (Yeom, Giacomelli, Fredrikson
  and Jha 2018, arXiv:1709.01604): a training record tends to have a lower loss;
- the logit-scaled confidence phi = log(p_y / (1 - p_y)) (Carlini et al. 2022,
  arXiv:2112.03570, section IV-C), computed as z_y - logsumexp_{j != y} z_j so that it stays
  finite where p_y rounds to 1; over models it is close to Gaussian, which LiRA needs.
"""

from __future__ import annotations

import torch
from torch import nn

BATCH = 1000


def logits_of(net: nn.Module, x: torch.Tensor, batch_size: int = BATCH) -> torch.Tensor:
    """(N, K) logits of ``net`` (eval mode, no gradient) on x (N, C, H, W) in [0, 1], in batches."""
    net.eval()
    with torch.no_grad():
        return torch.cat([net(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]).float()


def logit_confidence(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """(N,) phi = log(p_y / (1 - p_y)) = z_y - logsumexp_{j != y} z_j, any real number."""
    true = logits.gather(1, y[:, None]).squeeze(1)
    others = logits.scatter(1, y[:, None], float("-inf"))
    return true - torch.logsumexp(others, dim=1)
