"""Penultimate-layer activations: the representation the data-level backdoor scans cluster."""

from __future__ import annotations

import torch
from torch import nn

from inspector.core.util.errors import ModelError


def last_linear(model: nn.Module) -> nn.Linear:
    """The model's last ``nn.Linear`` (its classification layer), whose input is the penultimate representation.

    Raises:
        ModelError: the model has no ``nn.Linear`` module (a TorchScript, ONNX or exported
            graph has none to hook), so its activations cannot be read.
    """
    layers = [m for m in model.modules() if isinstance(m, nn.Linear)]
    if not layers:
        name = getattr(model, "name", type(model).__name__)
        raise ModelError(
            f"model {name} has no fully connected (nn.Linear) layer to read activations from: "
            "activation clustering and spectral signatures need its penultimate layer"
        )
    return layers[-1]


def penultimate(model: nn.Module, x: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Activations (N, D) entering the last linear layer, for x (N, C, H, W) in [0, 1], in eval mode.

    Raises:
        ModelError: see :func:`last_linear`.
    """
    layer = last_linear(model)
    captured: list[torch.Tensor] = []
    handle = layer.register_forward_hook(lambda _m, inputs, _out: captured.append(inputs[0].detach().flatten(1).cpu()))
    model.eval()
    try:
        with torch.no_grad():
            for i in range(0, len(x), batch_size):
                model(x[i : i + batch_size])
    finally:
        handle.remove()
    return torch.cat(captured)
