"""Loading classifiers (:class:`~inspector.core.classifier.Classifier`) by spec.

A model spec is either the name of a built-in model (see
:mod:`inspector.core.zoo`) or the path of a TorchScript file. A TorchScript
file may carry an ``inspector.json`` extra file describing itself::

    {"input_size": [224, 224], "channels": 3, "mean": [0.485, 0.456, 0.406],
     "std": [0.229, 0.224, 0.225], "class_names": ["tench", ...]}

Without it, the model is taken to expect 224x224 RGB in [0, 1] (no
normalisation) and a 1000-way output is named with the ImageNet classes.
The metadata is checked against a schema (:mod:`inspector.core.model_metadata`).
"""

from __future__ import annotations

import os
import stat
from functools import lru_cache
from pathlib import Path

import torch

from inspector.core.classifier import Classifier, ModelInfo
from inspector.core.device import select_device
from inspector.core.errors import ModelError
from inspector.core.files import stat_path
from inspector.core.labels import imagenet_classes
from inspector.core.messages import one_line, show_path
from inspector.core.model_metadata import parse_metadata
from inspector.core.zoo import MODELS


def builtin_models() -> dict[str, ModelInfo]:
    """The built-in models by name (the first is the default): the zoo's registry."""
    return MODELS


def default_model_name() -> str:
    return next(iter(builtin_models()))


def load_model(spec: str | os.PathLike | None = None, device: str | torch.device | None = None) -> Classifier:
    """Load a classifier by built-in name or TorchScript path, on ``device``.

    Results are cached per (spec, device), so loading twice is free.

    Raises:
        ModelError: no built-in model has that name and no such file exists,
            or the file is not a TorchScript model that runs on a test input.
        DeviceError: the device is unavailable.
    """
    dev = device if isinstance(device, torch.device) else select_device(device)
    return _load_cached(str(spec or default_model_name()), str(dev))


@lru_cache(maxsize=4)
def _load_cached(spec: str, device: str) -> Classifier:
    models = builtin_models()
    if spec in models:
        model = models[spec].build()
    elif Path(spec).suffix or os.sep in spec or "/" in spec:
        model = _load_torchscript(Path(spec))
    else:
        names = ", ".join(models)
        raise ModelError(f"unknown model {spec!r}: built-in models are {names}, or give a TorchScript file path")
    return model.to(device)


def _load_torchscript(path: Path) -> Classifier:
    shown = show_path(path)
    info = stat_path(path, ModelError)
    if info is None:
        raise ModelError(f"{shown}: no such model file")
    if stat.S_ISDIR(info.st_mode):
        raise ModelError(f"{shown}: is a folder, not a model file")
    extra = {"inspector.json": ""}
    try:
        net = torch.jit.load(str(path), map_location="cpu", _extra_files=extra)
    except Exception as exc:  # torch raises RuntimeError, ValueError or pickle errors
        raise ModelError(f"{shown}: not a TorchScript model ({one_line(exc)})") from None
    meta = parse_metadata(extra["inspector.json"], f"{shown}: inspector.json")
    size, channels = meta.input_size, meta.channels
    try:
        with torch.no_grad():
            out = net(torch.zeros(1, channels, *size))
    except Exception as exc:
        raise ModelError(f"{shown}: fails on a {channels}x{size[0]}x{size[1]} input ({one_line(exc)})") from None
    if not isinstance(out, torch.Tensor) or out.dim() != 2:
        raise ModelError(f"{shown}: must return logits of shape (N, K)")
    k = out.shape[1]
    names = meta.class_names or (imagenet_classes() if k == 1000 else [f"class {i}" for i in range(k)])
    if len(names) != k:
        raise ModelError(f"{shown}: {len(names)} class names for {k} outputs")
    return Classifier(
        net, name=str(path), input_size=size, channels=channels, class_names=names,
        mean=meta.mean, std=meta.std, task=meta.task,
    )
