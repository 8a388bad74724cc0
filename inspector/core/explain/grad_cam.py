"""Grad-CAM on the network's last feature maps (Selvaraju et al. 2017)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector.core.explain.method import EXPLANATION_METHODS, Attribution, ExplanationMethod
from inspector.core.util.errors import ModelError, ParameterError
from inspector.core.util.messages import show_path
from inspector.core.util.params import param

if TYPE_CHECKING:
    import torch
    from torch import nn

    from inspector.core.models.classifier import Classifier


#: The most layer names a refusal of an unknown ``layer`` lists.
LISTED_LAYERS = 8


def feature_layers(model: Classifier, x: torch.Tensor) -> list[tuple[str, nn.Module]]:
    """The leaf modules of the network, with their names, in the order a forward pass on ``x`` runs
    them, whose output is a stack of feature maps (N, C, h, w); a module run twice counts once.

    Raises:
        ModelError: no module gives one (a TorchScript or ONNX model's layers are not visible).
    """
    import torch

    ran: list[nn.Module] = []

    def record(module: nn.Module, _inputs: object, output: object) -> None:
        if isinstance(output, torch.Tensor) and output.dim() == 4 and module not in ran:
            ran.append(module)

    names = {m: name for name, m in model.net.named_modules() if not list(m.children())}
    hooks = [m.register_forward_hook(record) for m in names]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for hook in hooks:
            hook.remove()
    if not ran:
        raise ModelError(f"{show_path(model.name)}: Grad-CAM needs a layer of feature maps, and the model shows none")
    return [(names[m], m) for m in ran]


def last_feature_layer(model: Classifier, x: torch.Tensor) -> nn.Module:
    """The last of :func:`feature_layers`: the last convolution block's output, after its activation
    and pooling, as Grad-CAM reads it.

    Raises:
        ModelError: see :func:`feature_layers`.
    """
    return feature_layers(model, x)[-1][1]


def named_feature_layer(model: Classifier, x: torch.Tensor, name: str) -> nn.Module:
    """The layer called ``name`` in the network (as ``named_modules`` names it, e.g. ``features.3``),
    one of :func:`feature_layers`.

    Raises:
        ParameterError: no such layer, or its output is no stack of feature maps (the message lists
            the last :data:`LISTED_LAYERS` of those that are).
        ModelError: see :func:`feature_layers`.
    """
    layers = feature_layers(model, x)
    found = dict(layers)
    if name in found:
        return found[name]
    shown = ", ".join(n for n, _ in layers[-LISTED_LAYERS:])
    more = f" (the last {LISTED_LAYERS} of {len(layers)})" if len(layers) > LISTED_LAYERS else ""
    what = "gives no feature maps" if name in dict(model.net.named_modules()) else "is not a layer of the model"
    detail = f"{name!r} {what}; layers with feature maps: {shown}{more}"
    raise ParameterError(f"grad-cam parameter 'layer': {detail}", param="layer", detail=detail)


@EXPLANATION_METHODS.register
@dataclass
class GradCamMethod(ExplanationMethod):
    """The last feature maps (see :func:`last_feature_layer`), or those of ``layer``, weighted by their average gradient of the logit, summed,
    kept where positive (ReLU) and upsampled bilinearly to the image: a coarse, non-negative map
    (logit units) of the regions in favour of the class."""

    name = "grad-cam"
    title = "Grad-CAM (last feature maps)"
    paper = "Selvaraju et al. 2017, arXiv:1610.02391"

    layer: str = param(
        "", "the layer explained, by its name in the network (e.g. features.3); empty: the last feature maps"
    )

    def _attribute(self, model: Classifier, x: torch.Tensor, target: int) -> Attribution:
        from captum.attr import LayerAttribution, LayerGradCam

        layer = named_feature_layer(model, x, self.layer) if self.layer else last_feature_layer(model, x)
        cam = LayerGradCam(model, layer).attribute(x, target=target, relu_attributions=True)
        up = LayerAttribution.interpolate(cam, tuple(x.shape[-2:]), interpolate_mode="bilinear")
        return Attribution(up[0, 0].detach().float().cpu(), target)
