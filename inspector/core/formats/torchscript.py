"""TorchScript archives (``torch.jit.save``), with their ``inspector.json`` extra file or a sidecar."""

from __future__ import annotations

from pathlib import Path

import torch

from inspector.core.classifier import Classifier
from inspector.core.errors import ModelError
from inspector.core.formats.sidecar import classifier_for, sidecar_path
from inspector.core.messages import one_line, show_path
from inspector.core.model_metadata import ModelMetadata, parse_metadata

TASK = "TorchScript model"


def load_torchscript(path: Path) -> Classifier:
    """The TorchScript model in ``path``, fed as its sidecar says or, without one, its ``inspector.json`` extra file.

    Raises:
        ModelError: not a TorchScript archive, or its metadata breaks the schema.
    """
    shown = show_path(path)
    extra = {"inspector.json": ""}
    try:
        net = torch.jit.load(str(path), map_location="cpu", _extra_files=extra)
    except Exception as exc:  # torch raises RuntimeError, ValueError or pickle errors
        raise ModelError(f"{shown}: not a TorchScript model ({one_line(exc)})") from None
    embedded = ModelMetadata(task=TASK)
    if not sidecar_path(path).is_file():
        embedded = parse_metadata(extra["inspector.json"], f"{shown}: inspector.json", folder=path.parent,
                                  defaults=embedded)
    return classifier_for(net, path, embedded)
