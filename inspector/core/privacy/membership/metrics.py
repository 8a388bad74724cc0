"""How well a membership score separates members from non-members: the ROC curve, its
AUC and the true positive rate at a low false positive rate, with bootstrap confidence
intervals, and a per-record risk.

Carlini et al. 2022 (arXiv:2112.03570, section III) argue for the TPR at a low FPR over
the AUC: an attack is worth fearing if it is confidently right about some records. A
TPR at an FPR is measured only where the non-members allow at least
:data:`MIN_FALSE_POSITIVES` false positives there: with 2,000 non-members the lowest is
0.5 %, so 1 % is measured and 0.1 % (two false positives) is not.

Scores: higher means "more likely a member". Everything is computed with numpy on
(n,) float arrays and (n,) bool arrays of membership.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The fewest false positives a TPR-at-FPR figure may rest on.
MIN_FALSE_POSITIVES = 10
BOOTSTRAPS = 1000
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """A figure and its bootstrap confidence interval [low, high] (percentile, 95 %)."""

    value: float
    low: float
    high: float

    def to_json(self) -> dict:
        return {"value": self.value, "ci95": [self.low, self.high]}


def roc_curve(scores: np.ndarray, is_member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(fpr, tpr), each (k,) in [0, 1] from (0, 0) to (1, 1): one point per distinct score,
    calling "member" every record scoring at least that much."""
    order = np.argsort(-scores, kind="stable")
    s, m = scores[order], is_member[order]
    last = np.r_[np.nonzero(np.diff(s))[0], len(s) - 1]  # the last record of each run of equal scores
    tp = np.cumsum(m)[last]
    fp = np.cumsum(~m)[last]
    return np.r_[0.0, fp / max(fp[-1], 1)], np.r_[0.0, tp / max(tp[-1], 1)]


def auc(scores: np.ndarray, is_member: np.ndarray) -> float:
    """ROC AUC, Pr[member's score > non-member's] + Pr[tie] / 2 (Mann-Whitney U / (n1 n0))."""
    from scipy.stats import rankdata  # scipy.stats takes most of a second to import: only when an AUC is asked for

    ranks = rankdata(scores)
    n1 = int(is_member.sum())
    n0 = len(scores) - n1
    return float((ranks[is_member].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def tpr_at_fpr(scores: np.ndarray, is_member: np.ndarray, fpr: float) -> float:
    """The highest TPR at a threshold whose FPR is at most ``fpr``: members scoring above the
    (floor(fpr n0) + 1)-th highest non-member score."""
    negatives = np.sort(scores[~is_member])[::-1]
    k = int(np.floor(fpr * len(negatives)))
    if k >= len(negatives):
        return 1.0
    return float((scores[is_member] > negatives[k]).mean())


def measurable(fpr: float, non_members: int) -> bool:
    """Whether a TPR at ``fpr`` can be measured with ``non_members``: at least
    :data:`MIN_FALSE_POSITIVES` false positives allowed there."""
    return fpr * non_members >= MIN_FALSE_POSITIVES


def bootstrap(
    scores: np.ndarray, is_member: np.ndarray, statistic, *, rounds: int = BOOTSTRAPS, seed: int = 0
) -> Estimate:
    """``statistic(scores, is_member)`` with a percentile bootstrap CI, members and
    non-members resampled separately (the set stays balanced)."""
    rng = np.random.default_rng(seed)
    members = np.nonzero(is_member)[0]
    others = np.nonzero(~is_member)[0]
    values = np.empty(rounds)
    for r in range(rounds):
        pick = np.r_[rng.choice(members, len(members)), rng.choice(others, len(others))]
        values[r] = statistic(scores[pick], is_member[pick])
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return Estimate(float(statistic(scores, is_member)), float(low), float(high))


def risk(scores: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """(n,) in [0, 1]: the share of the ``reference`` (non-member) scores each score exceeds,
    ties counting half. 0.99 means only 1 % of non-members look as much like members."""
    reference = np.sort(reference)
    below = np.searchsorted(reference, scores, side="left")
    at_most = np.searchsorted(reference, scores, side="right")
    return (below + at_most) / (2 * len(reference))
