"""The metadata file beside a model file: ``MODEL.inspector.json``.

The rule is one: the sidecar of a model file is its full name plus
``.inspector.json`` (``net.onnx`` -> ``net.onnx.inspector.json``,
``weights.safetensors`` -> ``weights.safetensors.inspector.json``), in the same
folder. It holds the metadata of :mod:`inspector.core.models.metadata`; keys it
lacks keep what the model file itself says, or the defaults. For a TorchScript
archive it replaces the ``inspector.json`` extra file inside.

A sidecar comes with the model, from whoever sent it: it is read as untrusted
input (:mod:`inspector.core.io.untrusted`), a regular file of at most
:data:`MAX_SIDECAR_BYTES`; a FIFO or a device there is refused without being read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from torch import nn

from inspector.core.io.files import write_atomically
from inspector.core.io.untrusted import read_text
from inspector.core.models.classifier import Classifier
from inspector.core.models.metadata import ModelMetadata, parse_metadata
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import show_path

SIDECAR_SUFFIX = ".inspector.json"
#: The largest sidecar read, in bytes (a sidecar with 100,000 class names inline takes about 3 MB; such a
#: list belongs in a class_names_file).
MAX_SIDECAR_BYTES = 2**20


def sidecar_path(model_path: str | os.PathLike) -> Path:
    """Where the sidecar of ``model_path`` is (whether or not it exists)."""
    path = Path(model_path)
    return path.with_name(path.name + SIDECAR_SUFFIX)


def read_sidecar(model_path: str | os.PathLike, defaults: ModelMetadata) -> ModelMetadata:
    """The metadata of ``model_path``'s sidecar, with ``defaults`` for what it lacks; ``defaults`` without one.

    Raises:
        ModelError: the sidecar is not a regular file (a FIFO, a device, a folder), is over
            :data:`MAX_SIDECAR_BYTES`, cannot be read, is not UTF-8 JSON, is nested too deeply,
            breaks the schema or names a class names file that is missing or refused (see
            :func:`~inspector.core.models.metadata.read_class_names`); the message names the sidecar.
    """
    path = sidecar_path(model_path)
    if not has_sidecar(model_path):
        return defaults
    text = read_text(path, ModelError, "model metadata", MAX_SIDECAR_BYTES)
    return parse_metadata(text, show_path(path), folder=path.parent, defaults=defaults)


def has_sidecar(model_path: str | os.PathLike) -> bool:
    """Whether anything is at the sidecar's path: a file, or something that is refused as one
    (a FIFO, a device, a folder, a dangling symbolic link), so that it is not silently skipped."""
    return os.path.lexists(sidecar_path(model_path))


def write_sidecar(model_path: str | os.PathLike, data: dict) -> Path:
    """Check ``data`` against the schema, then write it as ``model_path``'s sidecar, atomically; its path.

    Raises:
        ModelError: ``data`` breaks the schema or names a missing class names file.
        ExportError: the folder cannot be written.
    """
    path = sidecar_path(model_path)
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    parse_metadata(text, show_path(path), folder=path.parent)
    write_atomically(path, lambda fh: fh.write(text.encode("utf-8")))
    return path


def classifier_for(net: nn.Module, model_path: str | os.PathLike, defaults: ModelMetadata) -> Classifier:
    """A :class:`Classifier` of ``net`` loaded from ``model_path``, fed and named as its sidecar says.

    Raises:
        ModelError: see :func:`read_sidecar`.
    """
    return with_metadata(net, str(model_path), read_sidecar(model_path, defaults))


def with_metadata(net: nn.Module, name: str, meta: ModelMetadata) -> Classifier:
    """A :class:`Classifier` of ``net`` named ``name``, with ``meta``'s input size, normalisation and classes."""
    return Classifier(
        net,
        name=name,
        input_size=meta.input_size,
        channels=meta.channels,
        class_names=meta.class_names or (),
        mean=meta.mean,
        std=meta.std,
        task=meta.task,
        resize=meta.resize,
    )
