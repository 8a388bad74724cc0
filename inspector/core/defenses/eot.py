"""EOT: Expectation Over Transformation for randomised defences.

Athalye, Engstrom, Ilyas and Kwok 2018, "Synthesizing Robust Adversarial
Examples", ICML, arXiv:1707.07397; used against randomised defences in
Athalye, Carlini and Wagner 2018, arXiv:1802.00420.

The attack sees the expected prediction over ``samples`` independent draws of
the randomised transform: its logits are log E_t[softmax(f(t(x)))], so a
gradient step on any loss of them follows the expectation, not one draw.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def expected_log_probabilities(
    x: torch.Tensor, sample: Callable[[torch.Tensor], torch.Tensor], samples: int
) -> torch.Tensor:
    """log of the mean softmax of ``sample(x)`` over ``samples`` draws.

    ``sample`` maps (N, C, H, W) to logits (N, K) with fresh randomness per
    call. Returns (N, K) log-probabilities (usable as logits). Costs
    ``samples`` forward passes (and as many backward passes under autograd).

    Raises:
        ValueError: ``samples`` is below 1.
    """
    total: torch.Tensor | None = None
    for _ in range(samples):
        p = sample(x).softmax(dim=1)
        total = p if total is None else total + p
    if total is None:
        raise ValueError(f"samples must be at least 1, not {samples}")
    return (total / samples).clamp_min(1e-12).log()
