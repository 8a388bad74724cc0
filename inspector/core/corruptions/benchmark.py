"""A model's accuracy under the common corruptions, its mCE against a baseline model, and per image
the smallest severity that changes its label (Hendrycks and Dietterich 2019, arXiv:1903.12261,
section 4).

Corruption error (CE) of model f on corruption c is its errors summed over severities 1-5 divided
by the baseline's on the same images: CE_c = sum_s E(f, s, c) / sum_s E(baseline, s, c); mCE is
their mean over the corruptions, 100 % for the baseline itself, lower is better. Relative CE
counts only the errors a corruption adds to the clean ones: sum_s (E(f, s, c) - E(f, clean)) over
the same for the baseline; a model that is worse on clean images but loses less under corruption
has a lower relative mCE. Both models see
the same corrupted images: corruption c at every severity draws from one seed per batch (the same
noise, stronger), so the two error counts are paired and the interval of mCE is a paired bootstrap
over images.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch

from inspector.core.corruptions.registry import CORRUPTIONS, check_corruption, check_severity, corrupt_batch, eight_bit
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.util.errors import ParameterError

#: Bootstrap resamples for the interval of mCE.
BOOTSTRAP = 1000


@dataclass
class CorruptionRun:
    """One model's predictions on N images under K corruptions at S severities.

    ``labels`` (N,) true classes, ``clean`` (N,) predictions on the clean images, ``predictions``
    (N, K, S) under each corruption and severity; ``ids`` name the images.
    """

    model: str
    corruptions: tuple[str, ...]
    severities: tuple[int, ...]
    ids: list[str]
    labels: torch.Tensor
    clean: torch.Tensor
    predictions: torch.Tensor = field(repr=False)

    def clean_accuracy(self) -> float:
        return float((self.clean == self.labels).float().mean())

    def correct(self) -> torch.Tensor:
        """(N, K, S) bool: the corrupted image read as its true class."""
        return self.predictions == self.labels[:, None, None]

    def accuracy(self) -> torch.Tensor:
        """(K, S) share of the images read correctly under each corruption and severity, in [0, 1]."""
        return self.correct().float().mean(0)

    def accuracy_interval(self, k: int, s: int) -> tuple[float, float]:
        """The Wilson 95 % interval of ``accuracy()[k, s]``."""
        return wilson_interval(int(self.correct()[:, k, s].sum()), len(self.labels))

    def flip_severity(self) -> torch.Tensor:
        """(N, K) int: per image and corruption, the smallest severity whose prediction differs from the
        clean image's; 0 where none of the severities run does."""
        flipped = self.predictions != self.clean[:, None, None]
        levels = torch.tensor(self.severities)
        first = torch.where(flipped, levels, torch.full_like(levels, 10**6)).amin(-1)
        return torch.where(first == 10**6, torch.zeros_like(first), first)

    def to_dict(self) -> dict:
        """The figures as JSON-ready values: accuracies by corruption and severity, and the flip severity per image."""
        acc = self.accuracy()
        flips = self.flip_severity()
        return {
            "model": self.model,
            "images": len(self.labels),
            "clean_accuracy": self.clean_accuracy(),
            "accuracy": {
                c: {str(s): float(acc[k, j]) for j, s in enumerate(self.severities)}
                for k, c in enumerate(self.corruptions)
            },
            "flip_severity": {
                i: {c: int(flips[n, k]) or None for k, c in enumerate(self.corruptions)} for n, i in enumerate(self.ids)
            },
        }


def check_choice(corruptions: Sequence[str], severities: Sequence[int]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The corruptions and severities as tuples, checked.

    Raises:
        ParameterError: an unknown corruption, a severity outside 1-5, none of either, or a repeat.
    """
    names = tuple(check_corruption(c).name for c in corruptions)
    levels = tuple(check_severity(s) for s in severities)
    if not names or not levels:
        raise ParameterError("choose at least one corruption and one severity")
    if len(set(names)) < len(names) or len(set(levels)) < len(levels):
        raise ParameterError("a corruption or severity is named twice")
    return names, levels


def _predict(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    device = next(model.parameters()).device
    with torch.no_grad():
        return model(x.to(device)).argmax(1).cpu()


def run_corruptions(
    model: torch.nn.Module,
    name: str,
    x: torch.Tensor,
    labels: torch.Tensor,
    *,
    ids: list[str] | None = None,
    corruptions: Sequence[str] = tuple(CORRUPTIONS),
    severities: Sequence[int] = (1, 2, 3, 4, 5),
    seed: int = 0,
    batch_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> CorruptionRun:
    """``model``'s predictions on ``x`` (N, C, H, W) in [0, 1], labelled ``labels`` (N,), under each
    corruption and severity. Batch b of corruption k draws from seed ``seed + 1009 k + b`` at every
    severity, so two models run with the same ``x``, seed and batch size see the same images.
    ``progress(done, total)`` counts (corruption, severity) pairs; ``should_stop`` ends early
    (raising KeyboardInterrupt).

    Raises:
        ParameterError: see :func:`check_choice`.
        ImageError: images corruptions do not take (see :func:`corrupt_batch`).
    """
    names, levels = check_choice(corruptions, severities)
    n = len(labels)
    clean = torch.cat([_predict(model, eight_bit(x[i : i + batch_size])) for i in range(0, n, batch_size)])
    predictions = torch.zeros(n, len(names), len(levels), dtype=torch.long)
    total, done = len(names) * len(levels), 0
    for k, corruption in enumerate(names):
        for j, severity in enumerate(levels):
            for b, start in enumerate(range(0, n, batch_size)):
                if should_stop():
                    raise KeyboardInterrupt
                corrupted = corrupt_batch(x[start : start + batch_size], corruption, severity, seed + 1009 * k + b)
                predictions[start : start + batch_size, k, j] = _predict(model, corrupted)
            done += 1
            if progress is not None:
                progress(done, total)
    return CorruptionRun(name, names, levels, ids or [str(i) for i in range(n)], labels.cpu(), clean, predictions)


def _ratios(
    wrong: torch.Tensor, clean: torch.Tensor, base_wrong: torch.Tensor, base_clean: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """(CE, relative CE), each (K,), from (N, K, S) errors and (N,) clean errors of the model and the
    baseline; nan where the baseline's denominator is not positive."""
    own, base = wrong.sum((0, 2)), base_wrong.sum((0, 2))
    severities = wrong.shape[2]
    own_drop, base_drop = own - severities * clean.sum(), base - severities * base_clean.sum()
    nan = torch.full_like(own, float("nan"))
    ce = torch.where(base > 0, own / base.clamp_min(1e-12), nan)
    relative = torch.where(base_drop > 0, own_drop / base_drop.clamp_min(1e-12), nan)
    return ce, relative


@dataclass
class CorruptionErrors:
    """``model`` against ``baseline``: CE per corruption (in [0, inf), 1.0 = the baseline's) and mCE;
    relative CE (the errors added by the corruption, over the baseline's: section 4 of the paper) and
    relative mCE; each mean with a paired-bootstrap 95 % interval (``*_95``, (low, high))."""

    model: str
    baseline: str
    ce: dict[str, float]
    mce: float
    mce_95: tuple[float, float]
    relative_ce: dict[str, float]
    relative_mce: float
    relative_mce_95: tuple[float, float]

    def to_dict(self) -> dict:
        """JSON-ready: NaN (a baseline with no error on a corruption) and infinity as None."""
        return {
            "model": self.model,
            "baseline": self.baseline,
            "ce": {c: _finite(v) for c, v in self.ce.items()},
            "mce": _finite(self.mce),
            "mce_95": [_finite(v) for v in self.mce_95],
            "relative_ce": {c: _finite(v) for c, v in self.relative_ce.items()},
            "relative_mce": _finite(self.relative_mce),
            "relative_mce_95": [_finite(v) for v in self.relative_mce_95],
        }


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def corruption_errors(run: CorruptionRun, baseline: CorruptionRun, seed: int = 0) -> CorruptionErrors:
    """CE, relative CE and their means over the corruptions, of ``run`` against ``baseline`` (the same
    images, corruptions and severities); a corruption whose denominator is 0 (the baseline made no
    error, or none more than on clean images) is left out of the mean.

    Raises:
        ParameterError: the two runs are not on the same images, corruptions and severities.
    """
    if (run.corruptions, run.severities, run.ids) != (baseline.corruptions, baseline.severities, baseline.ids):
        raise ParameterError("mCE needs the model and the baseline run on the same images, corruptions and severities")
    counts = (
        (~run.correct()).float(),
        (run.clean != run.labels).float(),
        (~baseline.correct()).float(),
        (baseline.clean != baseline.labels).float(),
    )
    ce, relative = _ratios(*counts)
    g = torch.Generator().manual_seed(seed)
    n = len(run.labels)
    means = []
    for _ in range(BOOTSTRAP):
        pick = torch.randint(0, n, (n,), generator=g)
        means.append(torch.stack([r.nanmean() for r in _ratios(*(c[pick] for c in counts))]))
    bounds = torch.stack(means).nan_to_num(float("inf")).quantile(torch.tensor([0.025, 0.975]), dim=0)
    names = run.corruptions
    return CorruptionErrors(
        run.model,
        baseline.model,
        {c: float(ce[k]) for k, c in enumerate(names)},
        float(ce.nanmean()),
        (float(bounds[0, 0]), float(bounds[1, 0])),
        {c: float(relative[k]) for k, c in enumerate(names)},
        float(relative.nanmean()),
        (float(bounds[0, 1]), float(bounds[1, 1])),
    )
