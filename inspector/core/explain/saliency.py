"""Saliency: the size of the logit's gradient at each pixel (Simonyan, Vedaldi and Zisserman 2014)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector.core.explain.method import EXPLANATION_METHODS, Attribution, ExplanationMethod

if TYPE_CHECKING:
    import torch

    from inspector.core.models.classifier import Classifier


@EXPLANATION_METHODS.register
@dataclass
class SaliencyMethod(ExplanationMethod):
    """The map is max over channels of |d logit / d pixel| (logit units per [0, 1] pixel unit,
    non-negative): the pixels whose small change moves the class score most."""

    name = "saliency"
    title = "Saliency (gradient magnitude)"
    paper = "Simonyan, Vedaldi, Zisserman 2014, arXiv:1312.6034"

    def _attribute(self, model: Classifier, x: torch.Tensor, target: int) -> Attribution:
        from captum.attr import Saliency

        grads = Saliency(model).attribute(x, target=target, abs=True)
        return Attribution(grads[0].amax(0).detach().float().cpu(), target)
