"""The Likelihood Ratio Attack, LiRA (Carlini, Chien, Nasr, Song, Terzis and Tramer 2022,
"Membership Inference Attacks From First Principles", IEEE S&P, arXiv:2112.03570).

Reference ("shadow") models are trained, with the target's recipe, on random halves of
the data the target's training set was drawn from; for each record (x, y) those that
trained on it give the IN distribution of its logit-scaled confidence phi, the others the
OUT distribution, each fitted by a Gaussian. The target's phi on the record is then scored

- online: the likelihood ratio log N(phi; mu_in, sigma_in^2) - log N(phi; mu_out, sigma_out^2);
- offline (OUT models only): the one-sided test Pr[Z <= phi], Z ~ N(mu_out, sigma_out^2),
  scored by its z-score (phi - mu_out) / sigma_out: with one sigma for all records it orders
  them as the probability does, without rounding to 1 (a tie) for the most exposed ones.

Per-record means; one global standard deviation per side (IN, OUT) pooled over all
records, as the paper recommends with few reference models (section VI-B). The paper
also queries augmented copies of each record (flips, shifts); here each record is queried
once (digits are not flipped), which costs some power.
"""

from __future__ import annotations

import math

import torch


def _fit(phi: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, float]:
    """Per-record mean (n,) of ``phi`` (K, n) over the models where ``mask`` (K, n) is true,
    and the global standard deviation of phi around those means."""
    count = mask.sum(0).clamp_min(1)
    mean = (phi * mask).sum(0) / count
    residual = (phi - mean) * mask
    dof = max(int(mask.sum()) - int((mask.sum(0) > 0).sum()), 1)
    return mean, max(math.sqrt(float((residual**2).sum()) / dof), 1e-6)


def lira_scores(
    target_phi: torch.Tensor, reference_phi: torch.Tensor, reference_in: torch.Tensor, *, online: bool
) -> torch.Tensor:
    """(n,) LiRA scores, higher: more likely a member (log-likelihood ratio, or z-score offline).

    Args:
        target_phi: (n,) the target model's phi on the records.
        reference_phi: (K, n) each reference model's phi on the same records.
        reference_in: (K, n) bool, whether reference model k trained on record i. Offline
            needs at least one OUT model per record, online also one IN model.

    Raises:
        ValueError: a record lacks the IN or OUT models it needs.
    """
    out = ~reference_in
    if not out.any(0).all() or (online and not reference_in.any(0).all()):
        raise ValueError("every record needs reference models that trained on it (online) and that did not")
    mu_out, sd_out = _fit(reference_phi, out)
    if not online:
        return (target_phi - mu_out) / sd_out
    mu_in, sd_in = _fit(reference_phi, reference_in)
    log_in = -0.5 * ((target_phi - mu_in) / sd_in) ** 2 - math.log(sd_in)
    log_out = -0.5 * ((target_phi - mu_out) / sd_out) ** 2 - math.log(sd_out)
    return log_in - log_out
