"""The adaptive attack on a model guarded by detectors of differentiable score (the realism check):
each one's excess over its calibrated threshold is a penalty on the attack's objective
(:class:`~inspector.core.defenses.penalty.Penalized`; Carlini and Wagner 2017, arXiv:1705.07263).
Detectors without a gradient are left to the report: the attack does not see them."""

from __future__ import annotations

import torch

from inspector.core.defenses import Detector
from inspector.core.defenses.penalty import Penalized


def differentiable(detectors: list[Detector]) -> list[Detector]:
    """The detectors an adaptive attack can take the gradient of (``differentiable`` class attribute)."""
    return [d for d in detectors if d.differentiable]


def guarded(
    model: torch.nn.Module,
    detectors: list[Detector],
    clean: torch.Tensor,
    y: torch.Tensor,
    target: torch.Tensor | None,
) -> torch.nn.Module:
    """``model`` (pixels -> logits) with a :class:`Penalized` layer per differentiable detector, its threshold
    calibrated on ``clean`` (N, C, H, W) as the report's is; ``y`` (N,) or (1,) the true labels, ``target``
    the targets of a targeted attack. Returns ``model`` itself when no detector is differentiable.

    Raises:
        ParameterError: too few clean images for a detector's ``fpr``.
    """
    for detector in differentiable(detectors):
        threshold = detector.calibrate(model, clean)
        model = Penalized(model, detector.differentiable_score, threshold, label=y, target=target)
    return model


def unguarded(model: torch.nn.Module) -> torch.nn.Module:
    """The model inside the :class:`Penalized` layers of :func:`guarded` (the model the verdict is judged on)."""
    while isinstance(model, Penalized):
        model = model.model
    return model
