"""Loading classifiers (:class:`~inspector.core.models.classifier.Classifier`) by spec.

A model spec is the name of a built-in model (see :mod:`inspector.core.models.zoo`),
the path of a model file (``.pt2``, ``.onnx``, TorchScript; a whole pickled
model only when trusted: see :mod:`inspector.core.models.formats`), or, with
``weights``, the name of an architecture (:mod:`inspector.core.models.architectures`)
that takes the state dict in that file. A model file's metadata is in its
sidecar ``FILE.inspector.json`` (:mod:`inspector.core.models.formats.sidecar`)::

    {"input_size": [224, 224], "channels": 3, "mean": [0.485, 0.456, 0.406],
     "std": [0.229, 0.224, 0.225], "class_names_file": "classes.txt", "resize": "stretch"}

Without one, a model is taken to expect 224x224 RGB in [0, 1] (no normalisation)
unless the file itself declares its input shape, and a 1000-way output is
named with the ImageNet classes. The metadata is checked against a schema
(:mod:`inspector.core.models.metadata`) and every model is probed once at load
(:mod:`inspector.core.models.probe`).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import torch

from inspector.core.io.files import regular_file, stat_path
from inspector.core.models.architectures import load_with_weights
from inspector.core.models.classifier import Classifier, ModelInfo
from inspector.core.models.formats import load_model_file
from inspector.core.models.formats.sidecar import sidecar_path
from inspector.core.models.labels import default_class_names
from inspector.core.models.probe import probe
from inspector.core.models.zoo import MODELS
from inspector.core.util.device import select_device
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import show_path


def builtin_models() -> dict[str, ModelInfo]:
    """The built-in models by name (the first is the default): the zoo's registry."""
    return MODELS


def default_model_name() -> str:
    return next(iter(builtin_models()))


def load_model(
    spec: str | os.PathLike | None = None,
    device: str | torch.device | None = None,
    *,
    weights: str | os.PathLike | None = None,
    trust_code: bool = False,
) -> Classifier:
    """Load a classifier by built-in name, model file path, or architecture name with ``weights``, on ``device``.

    ``trust_code`` allows a whole model pickled by ``torch.save(model)``, whose
    loading runs code from the file. Results are cached, so loading twice is free:
    built-in models in a cache of their own, files in another, keyed also by the
    size and modification time of the file and of its sidecar, so a model or
    metadata changed on disk is loaded again.

    Raises:
        CodePickleError: (a ModelError) ``spec`` is a pickled whole model and ``trust_code`` is False.
        ModelError: no built-in model or architecture has that name and no such file exists;
            the file cannot be loaded in its format; the weights do not fit the architecture;
            the metadata breaks the schema; or the model fails the probe (see
            :func:`inspector.core.models.probe.probe`) or has another number of outputs than class names.
        DeviceError: the device is unavailable.
    """
    dev = str(device if isinstance(device, torch.device) else select_device(device))
    spec = str(spec or default_model_name())
    models = builtin_models()
    if weights is None and spec in models:
        return _load_builtin(spec, dev)
    if weights is None and not (Path(spec).suffix or os.sep in spec or "/" in spec):
        names = ", ".join(models)
        raise ModelError(
            f"unknown model {spec!r}: built-in models are {names}, or give a model file path (.pt2, .onnx, TorchScript)"
        )
    file = Path(weights if weights is not None else spec)
    stamp = (
        _stamp(regular_file(file, ModelError, "weights" if weights is not None else "model")),
        _stamp(stat_path(sidecar_path(file), ModelError)),
    )
    return _load_file(spec, dev, None if weights is None else str(weights), trust_code, stamp)


def _stamp(info: os.stat_result | None) -> tuple[int, int] | None:
    return None if info is None else (info.st_size, info.st_mtime_ns)


@lru_cache(maxsize=8)
def _load_builtin(name: str, device: str) -> Classifier:
    return _checked(builtin_models()[name].build(), device)


@lru_cache(maxsize=4)
def _load_file(spec: str, device: str, weights: str | None, trust_code: bool, stamp: tuple) -> Classifier:
    """A model file, or an architecture with its weights file; ``stamp`` only keys the cache."""
    if weights is not None:
        return _checked(load_with_weights(spec, Path(weights)), device)
    return _checked(load_model_file(Path(spec), trust_code=trust_code), device)


def _checked(model: Classifier, device: str) -> Classifier:
    """``model`` on ``device``, probed (see :func:`inspector.core.models.probe.probe`), with its class names."""
    model = model.to(device)
    report = probe(model)
    name, k = show_path(model.name), report.num_outputs
    if not model.class_names:
        model.class_names = default_class_names(k)
    if len(model.class_names) != k:
        raise ModelError(f"{name}: {len(model.class_names)} class names for {k} outputs")
    model.has_input_gradient = report.has_input_gradient
    return model
