"""Blacklight: detection of query attacks by hashing (Li, Shan, Wenger, Zhang, Zheng and Zhao 2022,
"Blacklight: Scalable Defense for Neural Networks against Query-Based Black-Box Attacks",
USENIX Security, arXiv:2006.14042).

Each query is quantised (grey levels divided by ``quantization`` and
floored), flattened, and cut into sliding windows of ``window`` values at
``stride``; each window is hashed, and the ``top`` largest distinct hashes are
the query's fingerprint. A query whose fingerprint shares at least
``threshold`` hashes with that of any earlier query is flagged: attack queries
differ from their predecessors by a small perturbation, which leaves most
quantised windows unchanged. The store is global, across clients, as in the
paper: an attacker gains nothing by spreading queries over accounts.

The paper hashes with SHA-256; this one uses a 64-bit polynomial hash of
the window (Karp and Rabin 1987, modulo 2^64, then a mixing step; vectorised
in numpy), which collides rarely enough for this purpose (nobody needs to
invert it) and costs a few milliseconds per photo. Defaults are the paper's
(quantisation step 50, top 50 hashes, match threshold 25) but for the window:
50 values, not the paper's 20 for CIFAR-10. On MNIST digits, whose black
background gives many identical windows, window 20 flagged 49 of 1,000
benign held-out digits (4.9 %); window 50 flagged none of them, and none of
the 100 ImageNet sample photos (``bench/threat_models.py``).
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np
import torch

from inspector.core.concealment.stateful import StatefulDetector, register
from inspector.core.util.params import param

_MIX = np.uint64(0x9E3779B97F4A7C15)
#: Earlier queries remembered per hash: the most recent ones. A hash every query shares (a window
#: of plain background) would otherwise make each query's match count cost O(queries so far).
RECENT_OWNERS = 1000
#: The polynomial hash's base: odd, so it has an inverse modulo 2^64 (Newton's iteration, below).
_BASE = np.uint64(0xD6E8FEB86659FD93)


def _powers(base: np.uint64, n: int) -> np.ndarray:
    """(n,) base^0 .. base^(n-1) modulo 2^64."""
    out = np.full(n, base, dtype=np.uint64)
    out[0] = 1
    with np.errstate(over="ignore"):
        return np.cumprod(out, dtype=np.uint64)


def _inverse(a: int) -> int:
    """The inverse of odd ``a`` modulo 2^64."""
    x = a
    for _ in range(6):
        x = (x * (2 - a * x)) % 2**64
    return x


def window_hashes(values: np.ndarray, window: int) -> np.ndarray:
    """(L - window + 1,) uint64 polynomial hashes of every run of ``window`` values of ``values`` (L,) uint64.

    h_j = sum_i v_{j+i} B^(window-1-i) mod 2^64, from one prefix sum of v_t B^-t.
    """
    n = len(values)
    with np.errstate(over="ignore"):
        prefix = np.concatenate(
            [[np.uint64(0)], np.cumsum(values * _powers(np.uint64(_inverse(int(_BASE))), n), dtype=np.uint64)]
        )
        spans = prefix[window:] - prefix[:-window]
        return spans * _powers(_BASE, n)[window - 1 :]


@register
@dataclass
class Blacklight(StatefulDetector):
    """Blacklight (Li et al. 2022, arXiv:2006.14042): flag a query sharing ``threshold`` of its
    ``top`` window hashes with an earlier query. No calibration: the threshold is the paper's.
    Each hash remembers its :data:`RECENT_OWNERS` most recent queries, so a match with a query
    older than that through a very common hash may be missed."""

    name = "blacklight"
    title = "Blacklight (hashes of quantised windows)"
    paper = (
        "Li, Shan, Wenger, Zhang, Zheng and Zhao 2022, Blacklight: Scalable Defense for Neural Networks "
        "against Query-Based Black-Box Attacks, arXiv:2006.14042"
    )

    quantization: int = param(50, "quantisation step in grey levels (paper: 50)", minimum=1, maximum=255)
    window: int = param(
        50, "values per sliding window of the flattened image (paper, CIFAR-10: 20)", minimum=1, maximum=10**6
    )
    stride: int = param(1, "step between windows (paper: 1)", minimum=1, maximum=10**6)
    top: int = param(50, "largest hashes kept per query (paper: 50)", minimum=1, maximum=10**4)
    threshold: int = param(25, "shared hashes that flag a query (paper: 25)", minimum=1, maximum=10**4)
    _owners: dict = field(default_factory=dict, init=False, repr=False)
    _seen: int = field(default=0, init=False, repr=False)

    def fingerprint(self, image: torch.Tensor) -> np.ndarray:
        """The ``top`` largest distinct window hashes (uint64) of one image (C, H, W) in [0, 1]."""
        q = (torch.round(image.detach().float().cpu() * 255) // self.quantization).flatten().numpy().astype(np.uint64)
        h = window_hashes(q + np.uint64(1), min(self.window, len(q)))[:: self.stride]
        with np.errstate(over="ignore"):
            h = (h ^ (h >> np.uint64(31))) * _MIX
        k = min(4 * self.top, len(h))
        while True:  # the top distinct values lie among the k largest, once k holds them
            largest = np.unique(np.partition(h, len(h) - k)[len(h) - k :])
            if len(largest) >= self.top or k == len(h):
                return largest[-self.top :]
            k = min(4 * k, len(h))

    def observe(self, x, clients):
        flags = torch.zeros(len(x), dtype=torch.bool)
        for m in range(len(x)):
            hashes = self.fingerprint(x[m])
            matches = Counter(owner for h in hashes.tolist() for owner in self._owners.get(h, ()))
            flags[m] = bool(matches) and max(matches.values()) >= self.threshold
            for h in hashes.tolist():
                self._owners.setdefault(h, deque(maxlen=RECENT_OWNERS)).append(self._seen)
            self._seen += 1
        return flags

    def reset(self):
        self._owners.clear()
        self._seen = 0
