"""Activation clustering (Chen, Carvalho, Baracaldo, Ludwig, Edwards, Lee, Molloy
and Srivastava 2018, "Detecting Backdoor Attacks on Deep Neural Networks by
Activation Clustering", arXiv:1811.03728).

The model trained on the suspect data is run over that data (the registered scan is
:class:`inspector.core.poisoning.scans.activation_clustering.ActivationClustering`). Per label, the
penultimate activations are reduced to ``dims`` dimensions and split in two
by k-means; poisoned images, classified as the label for another reason (the
trigger) than its clean images, fall in a cluster of their own. A cluster
holding less than ``max_size`` of its label's images is flagged (their
"relative size" analysis, threshold 0.35 as in ART). Chen et al. reduce with
FastICA; this uses PCA (also one of ART's options), which needs no extra package.
"""

from __future__ import annotations

import torch


def flag_small_clusters(
    features: torch.Tensor, y: torch.Tensor, *, dims: int, max_size: float, seed: int
) -> torch.Tensor:
    """(N,) bool: the images in a small cluster of their label, from penultimate activations
    ``features`` (N, D) and labels y (N,). Per label (of 4 images or more), PCA to ``dims``
    dimensions, 2-means seeded with ``seed``; the less populated cluster is flagged when it
    holds less than ``max_size`` of the label's images."""
    flagged = torch.zeros(len(y), dtype=torch.bool)
    for c in y.unique():
        rows = (y == c).nonzero().flatten()
        if len(rows) < 4:
            continue
        z = reduce(features[rows], dims)
        assignment = two_means(z, seed)
        small = int(assignment.float().mean() < 0.5)  # the less populated cluster's id
        members = assignment == small
        if members.float().mean() < max_size:
            flagged[rows[members]] = True
    return flagged


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
