"""Grad-CAM on the network's last feature maps (Selvaraju et al. 2017)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector.core.explain.method import EXPLANATION_METHODS, Attribution, ExplanationMethod
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import show_path

if TYPE_CHECKING:
    import torch
    from torch import nn

    from inspector.core.models.classifier import Classifier


def last_feature_layer(model: Classifier, x: torch.Tensor) -> nn.Module:
    """The last leaf module of the network, in the order a forward pass on ``x`` runs them, whose
    output is a stack of feature maps (N, C, h, w): the last convolution block's output, after its
    activation and pooling, as Grad-CAM reads it.

    Raises:
        ModelError: no module gives one (a TorchScript or ONNX model's layers are not visible).
    """
    import torch

    ran: list[nn.Module] = []

    def record(module: nn.Module, _inputs: object, output: object) -> None:
        if isinstance(output, torch.Tensor) and output.dim() == 4:
            ran.append(module)

    leaves = [m for m in model.net.modules() if not list(m.children())]
    hooks = [m.register_forward_hook(record) for m in leaves]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for hook in hooks:
            hook.remove()
    if not ran:
        raise ModelError(f"{show_path(model.name)}: Grad-CAM needs a layer of feature maps, and the model shows none")
    return ran[-1]


@EXPLANATION_METHODS.register
@dataclass
class GradCamMethod(ExplanationMethod):
    """The last feature maps (see :func:`last_feature_layer`) weighted by their average gradient of the logit, summed,
    kept where positive (ReLU) and upsampled bilinearly to the image: a coarse, non-negative map
    (logit units) of the regions in favour of the class."""

    name = "grad-cam"
    title = "Grad-CAM (last feature maps)"
    paper = "Selvaraju et al. 2017, arXiv:1610.02391"

    def _attribute(self, model: Classifier, x: torch.Tensor, target: int) -> Attribution:
        from captum.attr import LayerAttribution, LayerGradCam

        cam = LayerGradCam(model, last_feature_layer(model, x)).attribute(x, target=target, relu_attributions=True)
        up = LayerAttribution.interpolate(cam, tuple(x.shape[-2:]), interpolate_mode="bilinear")
        return Attribution(up[0, 0].detach().float().cpu(), target)
