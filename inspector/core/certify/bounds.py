"""The statistics of a randomized-smoothing certificate (Cohen, Rosenfeld and Kolter 2019,
arXiv:1902.02918, section 3.2), from scipy: the one-sided Clopper-Pearson lower confidence
bound of a binomial proportion, the two-sided binomial test of PREDICT, and the certified L2
radius sigma * Phi^-1(pA_lower) of Theorem 1 (with pB = 1 - pA). scipy loads on the first call
(the Evasion workspace imports this module at start-up and certifies only smoothing models).
"""

from __future__ import annotations


def lower_confidence_bound(successes: int, trials: int, alpha: float) -> float:
    """The one-sided (1 - alpha) Clopper-Pearson lower bound on p from ``successes`` of ``trials``
    Bernoulli(p) draws, in [0, 1): the alpha quantile of Beta(successes, trials - successes + 1);
    0 when ``successes`` is 0. Needs 0 <= successes <= trials, trials >= 1, alpha in (0, 1)."""
    from scipy.stats import beta

    if successes == 0:
        return 0.0
    return float(beta.ppf(alpha, successes, trials - successes + 1))


def certified_radius(sigma: float, p_lower: float) -> float:
    """sigma * Phi^-1(p_lower), the L2 radius (in the units of sigma) within which the smoothed
    classifier's class cannot change; only meaningful for ``p_lower`` > 0.5 (it is <= 0 otherwise)."""
    from scipy.stats import norm

    return float(sigma * norm.ppf(p_lower))


def binomial_p_value(top: int, runner_up: int) -> float:
    """The two-sided p-value of ``top`` successes in ``top + runner_up`` trials against p = 0.5
    (PREDICT's test that the top class really is more likely than the runner-up); 1 for no trials."""
    from scipy.stats import binomtest

    if top + runner_up == 0:
        return 1.0
    return float(binomtest(top, top + runner_up, 0.5).pvalue)
