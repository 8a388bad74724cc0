"""Integrated gradients from a black image (Sundararajan, Taly and Yan 2017)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector.core.explain.method import EXPLANATION_METHODS, Attribution, ExplanationMethod
from inspector.core.util.params import param

if TYPE_CHECKING:
    import torch

    from inspector.core.models.classifier import Classifier

#: The most interpolation steps (each a forward and backward pass of the model).
MAX_STEPS = 1000


@EXPLANATION_METHODS.register
@dataclass
class IntegratedGradientsMethod(ExplanationMethod):
    """Each pixel value's change from black times the logit's gradient averaged along the straight
    path from black to the image (Gauss-Legendre quadrature with ``steps`` points). The map is the
    sum over channels, signed, in logit units; by completeness the whole map sums to the logit on
    the image minus the logit on black, up to :attr:`Attribution.delta`, which shrinks with ``steps``."""

    name = "integrated-gradients"
    title = "Integrated gradients (baseline: black)"
    paper = "Sundararajan, Taly, Yan 2017, arXiv:1703.01365"

    steps: int = param(64, "points on the path from black to the image", minimum=2, maximum=MAX_STEPS)

    def _attribute(self, model: Classifier, x: torch.Tensor, target: int) -> Attribution:
        import torch
        from captum.attr import IntegratedGradients

        attributions, delta = IntegratedGradients(model).attribute(
            x,
            baselines=torch.zeros_like(x),
            target=target,
            n_steps=self.steps,
            internal_batch_size=min(self.steps, 32),
            return_convergence_delta=True,
        )
        return Attribution(attributions[0].sum(0).detach().float().cpu(), target, float(delta.item()))
