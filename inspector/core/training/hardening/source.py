"""The network ``inspector harden`` trains: a copy of a model the tool loads whose parameters train in torch.

Trainable are the built-in models (``mnist-*`` are the architecture ``mnist-cnn``, ``gtsrb-*``
``gtsrb-cnn``, ``efficientnet-lite*`` their own) and a named architecture with the user's
weights (``--model ARCH --weights FILE``). Everything else is refused before it is read
further, in one line saying why: an ONNX model runs in onnxruntime, a ``.pt2`` program and
TorchScript are compiled graphs, and a whole pickled model runs code from the file.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import torch
from torch import nn

from inspector.core.models.architectures import ARCHITECTURES
from inspector.core.models.classifier import Classifier
from inspector.core.models.formats import file_kind
from inspector.core.models.loading import builtin_models, load_model
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import show_path

#: The architecture of each family of built-in models, by name prefix.
BUILTIN_ARCHITECTURES = {"mnist-": "mnist-cnn", "gtsrb-": "gtsrb-cnn"}
_EXPORT_HINT = "export a state dict for a named architecture (`inspector models`) and give --model ARCH --weights FILE"


class Normalized(nn.Module):
    """``net`` with its input normalisation in front: forward takes x (N, C, H, W) in [0, 1]."""

    mean: torch.Tensor
    std: torch.Tensor

    def __init__(self, net: nn.Module, mean: torch.Tensor, std: torch.Tensor):
        super().__init__()
        self.net = net
        self.register_buffer("mean", mean.detach().clone())
        self.register_buffer("std", std.detach().clone())

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.mean) / self.std)


@dataclass
class TrainableSource:
    """A model to harden: the architecture its weights load into, the loaded classifier (frozen, for
    the data's input size, the class names and the scores before training) and a stem for its output files."""

    architecture: str
    model: Classifier
    stem: str

    def trainable_copy(self) -> Normalized:
        """A fresh copy of the network on the CPU, every parameter trainable, normalisation in front."""
        net = copy.deepcopy(self.model.net).cpu()
        for p in net.parameters():
            p.requires_grad_(True)
        mean, std = cast(torch.Tensor, self.model.mean), cast(torch.Tensor, self.model.std)
        return Normalized(net, mean.cpu(), std.cpu())


def trainable_source(spec: str, weights: str | os.PathLike | None = None) -> TrainableSource:
    """The model ``spec`` (with ``weights``) loaded on the CPU, if its parameters train here.

    Raises:
        ModelError: a model file (ONNX, ``.pt2``, TorchScript, a pickled model, weights without an
            architecture), with why it cannot be trained; a network without trainable parameters;
            or as :func:`~inspector.core.models.loading.load_model`.
    """
    if weights is not None:
        architecture, stem = spec, Path(weights).name.removesuffix(".safetensors").split(".")[0]
    elif spec in builtin_models():
        architecture = next((a for prefix, a in BUILTIN_ARCHITECTURES.items() if spec.startswith(prefix)), spec)
        if architecture not in ARCHITECTURES:
            raise ModelError(f"{spec}: no named architecture takes its weights, so it cannot be trained here")
        stem = spec
    elif Path(spec).suffix or os.sep in spec or "/" in spec:
        raise ModelError(_untrainable(Path(spec)))
    else:
        raise ModelError(
            f"unknown model {spec!r}: harden trains the built-in models ({', '.join(builtin_models())}) "
            "or --model ARCH --weights FILE"
        )
    model = load_model(spec, "cpu", weights=weights)
    check_trainable(model)
    return TrainableSource(architecture, model, stem or "model")


def check_trainable(model: Classifier) -> None:
    """Raises ModelError if ``model``'s network has no parameters to train."""
    if not any(p.numel() for p in model.net.parameters()):
        raise ModelError(f"{show_path(model.name)}: the network has no parameters to train")


def _untrainable(path: Path) -> str:
    shown = show_path(path)
    if path.suffix == ".onnx":
        return f"{shown} runs in onnxruntime: its parameters cannot be trained here; {_EXPORT_HINT}"
    if path.suffix == ".pt2":
        return f"{shown} is a torch.export program for inference: its parameters are not trained here; {_EXPORT_HINT}"
    kind = file_kind(path)
    if kind == "torchscript":
        return f"{shown} is TorchScript, a compiled program: its parameters cannot be trained here; {_EXPORT_HINT}"
    if kind == "pickle":
        return (
            f"{shown} is a whole pickled model, whose loading runs code from the file: not trained here; {_EXPORT_HINT}"
        )
    if kind == "weights":
        return f"{shown} holds weights only: give the architecture they belong to, as --model ARCH --weights {shown}"
    return f"{shown}: not a model the tool can train; {_EXPORT_HINT}"
