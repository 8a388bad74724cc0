"""Activation clustering (Chen, Carvalho, Baracaldo, Ludwig, Edwards, Lee, Molloy
and Srivastava 2018, "Detecting Backdoor Attacks on Deep Neural Networks by
Activation Clustering", arXiv:1811.03728).

The model trained on the suspect data is run over that data. Per label, the
penultimate activations are reduced to ``dims`` dimensions and split in two
by k-means; poisoned images, classified as the label for another reason (the
trigger) than its clean images, fall in a cluster of their own. A cluster
holding less than ``max_size`` of its label's images is flagged (their
"relative size" analysis, threshold 0.35 as in ART). Chen et al. reduce with
FastICA; this uses PCA (also one of ART's options), which needs no extra package.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.poisoning.features import penultimate
from inspector.core.poisoning.scan_result import DataScan
from inspector.core.util.errors import ParameterError


@dataclass
class ActivationClustering:
    """Settings: ``dims`` PCA dimensions (10 in the paper), ``max_size`` the largest
    fraction of a label a flagged cluster may hold, ``seed`` of k-means' start."""

    dims: int = 10
    max_size: float = 0.35
    seed: int = 0

    def scan(self, model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> DataScan:
        """Flag training images (x (N, C, H, W) in [0, 1], labels y (N,)) of ``model``, trained on them.

        Raises:
            ParameterError: dims < 1 or max_size outside (0, 0.5].
            ModelError: the model has no linear layer (see :func:`~inspector.core.poisoning.features.last_linear`).
        """
        if self.dims < 1 or not 0 < self.max_size <= 0.5:
            raise ParameterError("activation clustering needs dims >= 1 and max_size in (0, 0.5]")
        features = penultimate(model, x)
        flagged = torch.zeros(len(y), dtype=torch.bool)
        for c in y.unique():
            rows = (y == c).nonzero().flatten()
            if len(rows) < 4:
                continue
            z = reduce(features[rows], self.dims)
            assignment = two_means(z, self.seed)
            small = int(assignment.float().mean() < 0.5)  # the less populated cluster's id
            members = assignment == small
            if members.float().mean() < self.max_size:
                flagged[rows[members]] = True
        return DataScan("activation clustering", flagged, y)


def reduce(features: torch.Tensor, dims: int) -> torch.Tensor:
    """PCA of (n, D) features to (n, min(dims, n, D)) after centring."""
    centred = features.double() - features.double().mean(0)
    q = min(dims, *centred.shape)
    _, _, v = torch.linalg.svd(centred, full_matrices=False)
    return centred @ v[:q].T


def two_means(z: torch.Tensor, seed: int, iterations: int = 100) -> torch.Tensor:
    """Lloyd's k-means with k = 2 and a k-means++ start: (n,) cluster ids 0 / 1 of the rows of z (n, d)."""
    gen = torch.Generator().manual_seed(seed)
    first = z[torch.randint(len(z), (1,), generator=gen)]
    distance = ((z - first) ** 2).sum(1)
    second = z[torch.multinomial(distance / distance.sum(), 1, generator=gen)]
    centres = torch.cat([first, second])
    assignment = torch.zeros(len(z), dtype=torch.long)
    for _ in range(iterations):
        new = torch.cdist(z, centres).argmin(1)
        if _ > 0 and torch.equal(new, assignment):
            break
        assignment = new
        for k in (0, 1):
            if (assignment == k).any():
                centres[k] = z[assignment == k].mean(0)
    return assignment
