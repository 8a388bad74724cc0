"""Spectral signatures (Tran, Li and Madry 2018, "Spectral Signatures in Backdoor
Attacks", NeurIPS, arXiv:1811.00636).

Per label, the penultimate activations R (n, D) of the model trained on the
suspect data are centred; each image's outlier score is its squared
projection on the top right singular vector of R. Poisoned images share a
direction the clean ones lack, so they score high. The 1.5 * ``expected_rate``
* n highest-scoring images of every label are flagged (Tran et al. remove 1.5
times the bound on the poisoned fraction; ART's default bound, 0.33, removes
about half of each class). The registered scan is
:class:`inspector.core.poisoning.scans.spectral.SpectralSignatures`.
"""

from __future__ import annotations

import math

import torch

#: How many times the expected poisoned fraction is removed per label (Tran et al. 2018).
REMOVAL_FACTOR = 1.5


def outlier_scores(features: torch.Tensor) -> torch.Tensor:
    """Outlier scores (n,) >= 0 of one label's activations (n, D)."""
    centred = features.double() - features.double().mean(0)
    _, _, v = torch.linalg.svd(centred, full_matrices=False)
    return (centred @ v[0]) ** 2


def flag_outliers(features: torch.Tensor, y: torch.Tensor, expected_rate: float) -> torch.Tensor:
    """(N,) bool: per label, the ceil(REMOVAL_FACTOR * expected_rate * n) images of highest
    :func:`outlier_scores`, from penultimate activations ``features`` (N, D) and labels y (N,)."""
    flagged = torch.zeros(len(y), dtype=torch.bool)
    for c in y.unique():
        rows = (y == c).nonzero().flatten()
        count = math.ceil(REMOVAL_FACTOR * expected_rate * len(rows))
        top = outlier_scores(features[rows]).topk(min(count, len(rows))).indices
        flagged[rows[top]] = True
    return flagged
