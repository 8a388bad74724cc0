"""Steepest-ascent directions, projections and random starts for Linf and L2 balls.

All functions act per image on tensors of shape (N, C, H, W).
"""

from __future__ import annotations

import torch

NORMS = ("linf", "l2")


def _per_image_l2(t: torch.Tensor) -> torch.Tensor:
    return t.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *([1] * (t.dim() - 1)))


def ascent_direction(grad: torch.Tensor, norm: str) -> torch.Tensor:
    """The unit-norm steepest-ascent direction: sign(grad) for Linf, grad/||grad||_2 for L2."""
    if norm == "linf":
        return grad.sign()
    return grad / _per_image_l2(grad)


def project(delta: torch.Tensor, norm: str, eps: float) -> torch.Tensor:
    """Project perturbations onto the ``norm`` ball of radius ``eps``."""
    if norm == "linf":
        return delta.clamp(-eps, eps)
    factor = (eps / _per_image_l2(delta)).clamp(max=1.0)
    return delta * factor


def random_start(x: torch.Tensor, norm: str, eps: float, generator: torch.Generator) -> torch.Tensor:
    """A random perturbation inside the ball: uniform for Linf; for L2 a uniform
    direction with radius eps * u^(1/d) (uniform in the ball)."""
    if norm == "linf":
        noise = torch.rand(x.shape, generator=generator) * 2 - 1
        return (noise * eps).to(x.device)
    direction = torch.randn(x.shape, generator=generator)
    direction = direction / _per_image_l2(direction)
    d = x[0].numel()
    radius = torch.rand(x.shape[0], generator=generator) ** (1.0 / d) * eps
    return (direction * radius.view(-1, 1, 1, 1)).to(x.device)
