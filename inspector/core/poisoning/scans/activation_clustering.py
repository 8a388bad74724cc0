"""Activation clustering (Chen et al. 2018, arXiv:1811.03728): see
:mod:`inspector.core.poisoning.activation_clustering`."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.poisoning.data_scan import DATA_SCANS, DataScanMethod
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.params import param


@DATA_SCANS.register
@dataclass
class ActivationClustering(DataScanMethod):
    """Per label, the penultimate activations reduced by PCA and split in two by k-means; a cluster
    holding less than ``max_size`` of its label is flagged."""

    name = "ac"
    title = "activation clustering"
    paper = "Chen et al. 2018, arXiv:1811.03728"

    dims: int = param(
        10, "PCA dimensions the activations are reduced to (10 in the paper)", minimum=1, maximum=MAX_COUNT
    )
    max_size: float = param(
        0.35, "the largest fraction of its label a flagged cluster may hold (0.35 as ART)", above=0, maximum=0.5
    )

    def scan(self, model, x, y, *, seed):
        from inspector.core.poisoning.activation_clustering import flag_small_clusters
        from inspector.core.poisoning.features import penultimate
        from inspector.core.poisoning.scan_result import DataScan

        self.check()
        flagged = flag_small_clusters(penultimate(model, x), y, dims=self.dims, max_size=self.max_size, seed=seed)
        return DataScan(self.title, flagged, y)
