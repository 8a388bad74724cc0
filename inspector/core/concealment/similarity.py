"""Stateful detection by query similarity (Chen, Carlini and Wagner 2019, arXiv:1907.05587).

"Stateful Detection of Black-Box Adversarial Attacks": keep each client's
history of queries; flag a query whose mean distance to its k = 50 nearest
past queries falls below a threshold, set so that 0.1 % of a benign stream is
flagged; after a detection the client's history is cleared (the paper's
buffer reset), so the number of detections counts how many times an attacker
would have been caught (banned) while making one adversarial example.

Feature space: the paper measures the distance in the output space of a
similarity encoder trained to be invariant to small transformations. This
implementation uses the pixels themselves, average-pooled to at most
``side`` x ``side`` per channel (MNIST digits stay 28x28 raw pixels; photos
become 32x32 thumbnails), L2 distance in [0, 1] units. That needs no training
and catches attacks that do not try to evade it (Square, HopSkipJump,
extraction); an attacker who adds random transformations to each query evades
a pixel-space detector more easily than the encoder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from inspector.core.concealment.stateful import StatefulDetector, register
from inspector.core.defenses.detection import conformal_rank, min_calibration_images
from inspector.core.util.errors import ParameterError
from inspector.core.util.params import param


@register
@dataclass
class Similarity(StatefulDetector):
    """k-nearest-neighbour query similarity (Chen, Carlini and Wagner 2019, arXiv:1907.05587).

    A client's query is flagged when its history holds at least ``k`` queries
    and their ``k`` nearest have a mean L2 distance (features: see the module
    docstring) below ``threshold``, set by :meth:`calibrate` at ``fpr``.

    Raises (from :meth:`observe`):
        ParameterError: not calibrated.
    """

    name = "similarity"
    title = "query similarity (k nearest neighbours)"
    paper = "Chen, Carlini and Wagner 2019, Stateful Detection of Black-Box Adversarial Attacks, arXiv:1907.05587"
    needs_calibration = True

    k: int = param(50, "nearest past queries averaged (paper: 50)", minimum=1, maximum=10000)
    fpr: float = param(
        0.001, "false positive rate on benign queries the threshold is set at (paper: 0.001)", minimum=1e-6, maximum=0.5
    )
    side: int = param(32, "feature size: images are average-pooled to at most side x side", minimum=4, maximum=1024)
    threshold: float | None = field(default=None)
    _history: dict = field(default_factory=dict, init=False, repr=False)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(M, D) features of x (M, C, H, W): the pixels, average-pooled to at most side x side."""
        h, w = x.shape[-2:]
        if h > self.side or w > self.side:
            x = F.adaptive_avg_pool2d(x, (min(h, self.side), min(w, self.side)))
        return x.detach().flatten(1).float().cpu()

    def knn_distance(self, features: torch.Tensor, history: torch.Tensor) -> torch.Tensor:
        """(M,) mean distance of each feature row to its k nearest rows of ``history`` (>= k rows)."""
        return torch.cdist(features, history).topk(self.k, dim=1, largest=False).values.mean(1)

    def calibrate(self, benign: torch.Tensor) -> float:
        """Set ``threshold`` from benign images (N, C, H, W): each image's k-NN distance to the others;
        the threshold is the conformal lower quantile at ``fpr`` (see
        :mod:`inspector.core.defenses.detection`), so a benign query like these is flagged with
        probability at most ``fpr``.

        Raises:
            ParameterError: fewer than max(k + 1, ceil(1/fpr) - 1) images.
        """
        need = max(self.k + 1, min_calibration_images(self.fpr))
        if len(benign) < need:
            raise ParameterError(
                f"the similarity detector needs at least {need} benign images to calibrate "
                f"k={self.k} at fpr={self.fpr:g}, got {len(benign)}"
            )
        f = self.features(benign)
        d = torch.cdist(f, f)
        d.fill_diagonal_(float("inf"))
        scores = d.topk(self.k, dim=1, largest=False).values.mean(1).sort().values
        self.threshold = float(scores[len(scores) - conformal_rank(len(scores), self.fpr)])
        return self.threshold

    def observe(self, x, clients):
        if self.threshold is None:
            raise ParameterError("the similarity detector has no threshold yet: calibrate it on benign images")
        feats = self.features(x)
        flags = torch.zeros(len(x), dtype=torch.bool)
        for m, client in enumerate(clients.tolist()):
            history = self._history.setdefault(client, _Rows(feats.shape[1]))
            if (
                len(history) >= self.k
                and float(self.knn_distance(feats[m : m + 1], history.rows())[0]) < self.threshold
            ):
                flags[m] = True
                history.clear()  # the paper's buffer reset after a detection
            else:
                history.append(feats[m])
        return flags

    def reset(self):
        self._history.clear()


class _Rows:
    """A growing (n, D) float tensor: appends in amortised O(D)."""

    def __init__(self, width: int):
        self._data, self._n = torch.empty(64, width), 0

    def __len__(self):
        return self._n

    def append(self, row: torch.Tensor) -> None:
        if self._n == len(self._data):
            self._data = torch.cat([self._data, torch.empty_like(self._data)])
        self._data[self._n] = row
        self._n += 1

    def rows(self) -> torch.Tensor:
        return self._data[: self._n]

    def clear(self) -> None:
        self._n = 0
