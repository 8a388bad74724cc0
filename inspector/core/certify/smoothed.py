"""PREDICT and CERTIFY of randomized smoothing (Cohen, Rosenfeld and Kolter 2019, "Certified
Adversarial Robustness via Randomized Smoothing", arXiv:1902.02918, Algorithms "PREDICT" and
"CERTIFY", section 3.2), with batched Monte Carlo sampling of the base classifier f under
Gaussian noise.

The smoothed classifier is g(x) = argmax_c P(f(x + delta) = c), delta ~ N(0, sigma^2 I); the noisy
copies are not clipped to [0, 1] (the theorem is about g as defined, whatever f does outside the
pixel range). CERTIFY guesses the class c_A from n0 samples, bounds pA = P(f(x + delta) = c_A)
from below with n fresh samples (Clopper-Pearson at level 1 - alpha) and certifies
g's class within the L2 radius sigma * Phi^-1(pA_lower), or abstains if pA_lower <= 1/2. PREDICT
returns the top class of n samples if a binomial test against the runner-up rejects equality at
level alpha, else abstains.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from inspector.core.certify.bounds import binomial_p_value, certified_radius, lower_confidence_bound
from inspector.core.certify.settings import Smoothing


@dataclass(frozen=True)
class Certificate:
    """CERTIFY's answer for one image.

    Attributes:
        label: the smoothed classifier's class, or None when it abstains.
        radius: the certified L2 radius in [0, 1] pixel units (0.0 on abstention).
        p_lower: the lower confidence bound on the class's probability under noise, in [0, 1).
        count: how many of the n samples the base classifier gave that class.
    """

    label: int | None
    radius: float
    p_lower: float
    count: int

    @property
    def abstained(self) -> bool:
        return self.label is None


def sample_counts(
    model: nn.Module,
    x: torch.Tensor,
    num: int,
    smoothing: Smoothing,
    generator: torch.Generator,
    should_stop: Callable[[], bool] | None = None,
) -> torch.Tensor | None:
    """How often the base classifier ``model`` picks each class on ``num`` noisy copies of x.

    x (1, C, H, W) in [0, 1] on the model's device; the copies x + N(0, sigma^2 I) go through
    the model ``smoothing.batch_size`` at a time, the noise drawn from ``generator`` (on x's
    device). Returns int64 counts (K,), K the model's classes; None if ``should_stop`` said so
    between batches.
    """
    counts: torch.Tensor | None = None
    remaining = num
    with torch.no_grad():
        while remaining > 0:
            if should_stop is not None and should_stop():
                return None
            size = min(smoothing.batch_size, remaining)
            batch = x.expand(size, *x.shape[1:])
            noise = torch.randn(batch.shape, generator=generator, device=x.device, dtype=x.dtype)
            logits = model(batch + smoothing.sigma * noise)
            found = torch.bincount(logits.argmax(1), minlength=logits.shape[1]).cpu()
            counts = found if counts is None else counts + found
            remaining -= size
    return counts


def noise_generator(x: torch.Tensor, seed: int) -> torch.Generator:
    """A generator on x's device seeded with ``seed``: the noise of one image's PREDICT or CERTIFY."""
    return torch.Generator(device=x.device).manual_seed(seed)


def certify(
    model: nn.Module,
    x: torch.Tensor,
    smoothing: Smoothing,
    seed: int | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Certificate | None:
    """CERTIFY: the smoothed classifier's class on x (1, C, H, W) in [0, 1] and its certified L2 radius.

    ``model`` (eval mode) maps images to logits (N, K). The noise is seeded with ``seed``
    (default ``smoothing.seed``); the selection samples (n0) and the estimation samples (n) are
    drawn one after the other from that generator, so they are independent. With probability at
    least 1 - alpha over the noise, a returned class is g's and g is constant on the L2 ball of
    the radius (Cohen et al. 2019, Theorem 1 and Proposition 2). None if ``should_stop`` said so.
    """
    generator = noise_generator(x, smoothing.seed if seed is None else seed)
    selection = sample_counts(model, x, smoothing.n0, smoothing, generator, should_stop)
    if selection is None:
        return None
    guess = int(selection.argmax())
    estimation = sample_counts(model, x, smoothing.n, smoothing, generator, should_stop)
    if estimation is None:
        return None
    count = int(estimation[guess])
    p_lower = lower_confidence_bound(count, smoothing.n, smoothing.alpha)
    if p_lower <= 0.5:
        return Certificate(None, 0.0, p_lower, count)
    return Certificate(guess, certified_radius(smoothing.sigma, p_lower), p_lower, count)


def predict(model: nn.Module, x: torch.Tensor, smoothing: Smoothing, seed: int | None = None) -> int | None:
    """PREDICT: the smoothed classifier's class on x (1, C, H, W) in [0, 1] from ``smoothing.n``
    noisy samples, or None (abstain) if the top two counts are not told apart by a two-sided
    binomial test at level alpha. Wrong (not g's class) with probability at most alpha
    (Cohen et al. 2019, Proposition 1)."""
    generator = noise_generator(x, smoothing.seed if seed is None else seed)
    counts = sample_counts(model, x, smoothing.n, smoothing, generator)
    assert counts is not None  # no should_stop
    top2 = torch.topk(counts, min(2, len(counts)))
    top = int(top2.values[0])
    runner_up = int(top2.values[1]) if len(counts) > 1 else 0
    return int(top2.indices[0]) if binomial_p_value(top, runner_up) <= smoothing.alpha else None
