"""BPDA: Backward Pass Differentiable Approximation.

Athalye, Carlini and Wagner 2018, "Obfuscated Gradients Give a False Sense of
Security: Circumventing Defenses to Adversarial Examples", ICML,
arXiv:1802.00420.

A non-differentiable (or gradient-shattering) transform f is run exactly on the
forward pass, while the backward pass uses the gradient of a differentiable
g ~ f. With g the identity this is the straight-through estimator.
"""

from __future__ import annotations

from collections.abc import Callable

import torch


def bpda(
    x: torch.Tensor,
    exact: Callable[[torch.Tensor], torch.Tensor],
    approximation: Callable[[torch.Tensor], torch.Tensor],
) -> torch.Tensor:
    """``exact(x)`` on the forward pass, the gradient of ``approximation(x)`` on the backward pass.

    Shapes: x (N, C, H, W); ``exact`` and ``approximation`` return the same shape.
    """
    g = approximation(x)
    with torch.no_grad():
        f = exact(x.detach())
    return g + (f - g).detach()
