"""Loading classifiers (:class:`~inspector.core.classifier.Classifier`) by spec.

A model spec is either the name of a built-in model (see
:mod:`inspector.core.zoo`) or the path of a TorchScript file. A TorchScript
file may carry an ``inspector.json`` extra file describing itself::

    {"input_size": [224, 224], "channels": 3, "mean": [0.485, 0.456, 0.406],
     "std": [0.229, 0.224, 0.225], "class_names": ["tench", ...]}

Without it, the model is taken to expect 224x224 RGB in [0, 1] (no
normalisation) and a 1000-way output is named with the ImageNet classes.
The metadata is checked against a schema (:mod:`inspector.core.model_metadata`)
and every model is probed once at load (:mod:`inspector.core.probe`).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import torch

from inspector.core.classifier import Classifier, ModelInfo
from inspector.core.device import select_device
from inspector.core.errors import ModelError
from inspector.core.files import regular_file
from inspector.core.labels import imagenet_classes
from inspector.core.messages import one_line, show_path
from inspector.core.model_metadata import parse_metadata
from inspector.core.probe import probe
from inspector.core.zoo import MODELS


def builtin_models() -> dict[str, ModelInfo]:
    """The built-in models by name (the first is the default): the zoo's registry."""
    return MODELS


def default_model_name() -> str:
    return next(iter(builtin_models()))


def load_model(spec: str | os.PathLike | None = None, device: str | torch.device | None = None) -> Classifier:
    """Load a classifier by built-in name or TorchScript path, on ``device``.

    Results are cached per (spec, device), so loading twice is free: built-in models in a
    cache of their own, model files in another, keyed also by the file's size and
    modification time, so a file changed on disk is loaded again.

    Raises:
        ModelError: no built-in model has that name and no such file exists; the
            file is not a TorchScript model; its inspector.json breaks the schema; or the
            model fails the probe (see :func:`inspector.core.probe.probe`) or has another
            number of outputs than class names.
        DeviceError: the device is unavailable.
    """
    dev = str(device if isinstance(device, torch.device) else select_device(device))
    spec = str(spec or default_model_name())
    models = builtin_models()
    if spec in models:
        return _load_builtin(spec, dev)
    if Path(spec).suffix or os.sep in spec or "/" in spec:
        info = regular_file(spec, ModelError, "model")
        return _load_file(spec, dev, info.st_size, info.st_mtime_ns)
    names = ", ".join(models)
    raise ModelError(f"unknown model {spec!r}: built-in models are {names}, or give a TorchScript file path")


@lru_cache(maxsize=8)
def _load_builtin(name: str, device: str) -> Classifier:
    return _checked(builtin_models()[name].build(), device)


@lru_cache(maxsize=4)
def _load_file(path: str, device: str, _size: int, _mtime_ns: int) -> Classifier:
    return _checked(_load_torchscript(Path(path)), device)


def _checked(model: Classifier, device: str) -> Classifier:
    """``model`` on ``device``, probed (see :func:`inspector.core.probe.probe`), with its class names."""
    model = model.to(device)
    report = probe(model)
    name, k = show_path(model.name), report.num_outputs
    if not model.class_names:
        model.class_names = imagenet_classes() if k == 1000 else tuple(f"class {i}" for i in range(k))
    if len(model.class_names) != k:
        raise ModelError(f"{name}: {len(model.class_names)} class names for {k} outputs")
    model.has_input_gradient = report.has_input_gradient
    return model


def _load_torchscript(path: Path) -> Classifier:
    shown = show_path(path)
    regular_file(path, ModelError, "model")
    extra = {"inspector.json": ""}
    try:
        net = torch.jit.load(str(path), map_location="cpu", _extra_files=extra)
    except Exception as exc:  # torch raises RuntimeError, ValueError or pickle errors
        raise ModelError(f"{shown}: not a TorchScript model ({one_line(exc)})") from None
    meta = parse_metadata(extra["inspector.json"], f"{shown}: inspector.json")
    return Classifier(
        net, name=str(path), input_size=meta.input_size, channels=meta.channels, class_names=meta.class_names or (),
        mean=meta.mean, std=meta.std, task=meta.task,
    )
