"""Loading classifiers (:class:`~inspector.core.classifier.Classifier`) by spec.

A model spec is the name of a built-in model (see :mod:`inspector.core.zoo`),
the path of a model file (``.pt2``, ``.onnx``, TorchScript; a whole pickled
model only when trusted: see :mod:`inspector.core.formats`), or, with
``weights``, the name of an architecture (:mod:`inspector.core.architectures`)
that takes the state dict in that file. A model file's metadata is in its
sidecar ``FILE.inspector.json`` (:mod:`inspector.core.formats.sidecar`)::

    {"input_size": [224, 224], "channels": 3, "mean": [0.485, 0.456, 0.406],
     "std": [0.229, 0.224, 0.225], "class_names_file": "classes.txt", "resize": "stretch"}

Without one, a model is taken to expect 224x224 RGB in [0, 1] (no normalisation)
unless the file itself declares its input shape, and a 1000-way output is
named with the ImageNet classes. The metadata is checked against a schema
(:mod:`inspector.core.model_metadata`) and every model is probed once at load
(:mod:`inspector.core.probe`).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import torch

from inspector.core.classifier import Classifier, ModelInfo
from inspector.core.architectures import load_with_weights
from inspector.core.device import select_device
from inspector.core.errors import ModelError
from inspector.core.formats import load_model_file
from inspector.core.labels import default_class_names
from inspector.core.messages import show_path
from inspector.core.probe import probe
from inspector.core.zoo import MODELS


def builtin_models() -> dict[str, ModelInfo]:
    """The built-in models by name (the first is the default): the zoo's registry."""
    return MODELS


def default_model_name() -> str:
    return next(iter(builtin_models()))


def load_model(spec: str | os.PathLike | None = None, device: str | torch.device | None = None, *,
               weights: str | os.PathLike | None = None, trust_code: bool = False) -> Classifier:
    """Load a classifier by built-in name, model file path, or architecture name with ``weights``, on ``device``.

    ``trust_code`` allows a whole model pickled by ``torch.save(model)``, whose
    loading runs code from the file. Results are cached per (spec, device,
    weights, trust_code), so loading twice is free.

    Raises:
        CodePickleError: (a ModelError) ``spec`` is a pickled whole model and ``trust_code`` is False.
        ModelError: no built-in model or architecture has that name and no such file exists;
            the file cannot be loaded in its format; the weights do not fit the architecture;
            the metadata breaks the schema; or the model fails the probe (see
            :func:`inspector.core.probe.probe`) or has another number of outputs than class names.
        DeviceError: the device is unavailable.
    """
    dev = device if isinstance(device, torch.device) else select_device(device)
    return _load_cached(str(spec or default_model_name()), str(dev), None if weights is None else str(weights),
                        trust_code)


def forget_loaded_models() -> None:
    """Empty the cache of :func:`load_model`, so that a model file or sidecar changed on disk is read again."""
    _load_cached.cache_clear()


@lru_cache(maxsize=4)
def _load_cached(spec: str, device: str, weights: str | None, trust_code: bool) -> Classifier:
    models = builtin_models()
    if weights is not None:
        model = load_with_weights(spec, Path(weights))
    elif spec in models:
        model = models[spec].build()
    elif Path(spec).suffix or os.sep in spec or "/" in spec:
        model = load_model_file(Path(spec), trust_code=trust_code)
    else:
        names = ", ".join(models)
        raise ModelError(f"unknown model {spec!r}: built-in models are {names}, or give a model file path "
                         "(.pt2, .onnx, TorchScript)")
    model = model.to(device)
    report = probe(model)
    name, k = show_path(model.name), report.num_outputs
    if not model.class_names:
        model.class_names = default_class_names(k)
    if len(model.class_names) != k:
        raise ModelError(f"{name}: {len(model.class_names)} class names for {k} outputs")
    model.has_input_gradient = report.has_input_gradient
    return model
