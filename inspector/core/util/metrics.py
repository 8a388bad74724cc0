"""Perturbation norms, success criteria and top-k predictions."""

from __future__ import annotations

import torch


def perturbation_norms(x: torch.Tensor, x_adv: torch.Tensor) -> dict[str, list[float]]:
    """Norms of ``x_adv - x`` per image, for tensors (N, C, H, W) in [0, 1].

    Returns a dict of lists of length N:
        ``linf``, ``l2``: in [0, 1] pixel units;
        ``linf_grey``, ``l2_grey``: the same in grey levels (x 255);
        ``l0``: the number of changed values (pixel channels), a count;
        ``l0_pixels``: the number of pixels with any channel changed.
    """
    delta = (x_adv - x).detach().flatten(1).float()
    changed = (x_adv - x).detach().abs() > 0.5 / 255.0
    linf = delta.abs().amax(dim=1)
    l2 = delta.norm(dim=1)
    return {
        "linf": linf.tolist(),
        "l2": l2.tolist(),
        "linf_grey": (linf * 255).tolist(),
        "l2_grey": (l2 * 255).tolist(),
        "l0": changed.flatten(1).sum(1).tolist(),
        "l0_pixels": changed.any(dim=1).flatten(1).sum(1).tolist(),
    }


def is_success(logits: torch.Tensor, y: torch.Tensor, target: torch.Tensor | None = None) -> torch.Tensor:
    """Per-image success (N,) bool: top-1 differs from ``y`` (untargeted) or equals ``target``."""
    pred = logits.argmax(dim=1)
    return pred == target if target is not None else pred != y


def top_k(probabilities: torch.Tensor, class_names, k: int = 5) -> list[dict]:
    """Top-k of one probability vector (K,): a list of ``{index, name, probability}``."""
    values, indices = probabilities.detach().float().cpu().topk(min(k, probabilities.numel()))
    return [
        {"index": int(i), "name": class_names[int(i)], "probability": float(v)}
        for v, i in zip(values, indices, strict=True)
    ]
