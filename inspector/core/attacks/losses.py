"""Per-image attack objectives, oriented so that the attacker maximises them.

Each takes logits (N, K), true labels y (N,) and optional targets (N,) and
returns a loss (N,). Targeted versions pull towards the target class.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def cross_entropy(logits: torch.Tensor, y: torch.Tensor, target: torch.Tensor | None = None) -> torch.Tensor:
    """Softmax cross-entropy of the true class (untargeted), or minus that of the target."""
    if target is None:
        return F.cross_entropy(logits, y, reduction="none")
    return -F.cross_entropy(logits, target, reduction="none")


def margin(logits: torch.Tensor, y: torch.Tensor, target: torch.Tensor | None = None) -> torch.Tensor:
    """Logit margin (Carlini and Wagner 2017, arXiv:1608.04644).

    Untargeted: max_{j != y} z_j - z_y. Targeted: z_t - max_{j != t} z_j.
    Positive exactly when the attack succeeds; unaffected by softmax saturation.
    """
    label = y if target is None else target
    z_label = logits.gather(1, label[:, None]).squeeze(1)
    others = logits.masked_fill(F.one_hot(label, logits.shape[1]).bool(), float("-inf")).amax(dim=1)
    return others - z_label if target is None else z_label - others


def dlr(logits: torch.Tensor, y: torch.Tensor, target: torch.Tensor | None = None) -> torch.Tensor:
    """Difference of logits ratio (Croce and Hein 2020, arXiv:2003.01690), invariant to logit shift and scale.

    Untargeted: -(z_y - max_{j != y} z_j) / (z_pi1 - z_pi3); targeted:
    -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2), with z_pi the logits sorted
    in decreasing order. Needs at least 4 classes.
    """
    ordered = logits.sort(dim=1, descending=True).values
    z_y = logits.gather(1, y[:, None]).squeeze(1)
    if target is None:
        others = logits.masked_fill(F.one_hot(y, logits.shape[1]).bool(), float("-inf")).amax(dim=1)
        return -(z_y - others) / (ordered[:, 0] - ordered[:, 2] + 1e-12)
    z_t = logits.gather(1, target[:, None]).squeeze(1)
    return -(z_y - z_t) / (ordered[:, 0] - (ordered[:, 2] + ordered[:, 3]) / 2 + 1e-12)


LOSSES = {"ce": cross_entropy, "margin": margin, "dlr": dlr}
