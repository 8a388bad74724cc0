"""Spectral signatures (Tran, Li and Madry 2018, "Spectral Signatures in Backdoor
Attacks", NeurIPS, arXiv:1811.00636).

Per label, the penultimate activations R (n, D) of the model trained on the
suspect data are centred; each image's outlier score is its squared
projection on the top right singular vector of R. Poisoned images share a
direction the clean ones lack, so they score high. The 1.5 * ``expected_rate``
* n highest-scoring images of every label are flagged (Tran et al. remove 1.5
times the bound on the poisoned fraction; ART's default bound, 0.33, removes
about half of each class).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from inspector.core.poisoning.features import penultimate
from inspector.core.poisoning.scan_result import DataScan
from inspector.core.util.errors import ParameterError

#: How many times the expected poisoned fraction is removed per label (Tran et al. 2018).
REMOVAL_FACTOR = 1.5


@dataclass
class SpectralSignatures:
    """Setting: ``expected_rate``, the fraction of each label's images one expects poisoned, in (0, 2/3]."""

    expected_rate: float = 0.1

    def scores(self, features: torch.Tensor) -> torch.Tensor:
        """Outlier scores (n,) >= 0 of one label's activations (n, D)."""
        centred = features.double() - features.double().mean(0)
        _, _, v = torch.linalg.svd(centred, full_matrices=False)
        return (centred @ v[0]) ** 2

    def scan(self, model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> DataScan:
        """Flag training images (x (N, C, H, W) in [0, 1], labels y (N,)) of ``model``, trained on them.

        Raises:
            ParameterError: expected_rate outside (0, 2/3].
            ModelError: the model has no linear layer (see :func:`~inspector.core.poisoning.features.last_linear`).
        """
        if not 0 < self.expected_rate <= 2 / 3:
            raise ParameterError(
                f"expected poison rate {self.expected_rate:g} must be in (0, 2/3] "
                f"({REMOVAL_FACTOR:g} times it is removed from each class)"
            )
        features = penultimate(model, x)
        flagged = torch.zeros(len(y), dtype=torch.bool)
        for c in y.unique():
            rows = (y == c).nonzero().flatten()
            count = math.ceil(REMOVAL_FACTOR * self.expected_rate * len(rows))
            top = self.scores(features[rows]).topk(min(count, len(rows))).indices
            flagged[rows[top]] = True
        return DataScan("spectral signatures", flagged, y)
