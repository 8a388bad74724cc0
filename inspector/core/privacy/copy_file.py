"""Saving a stolen copy as a model file every ``--model`` option takes: ``.pt2`` plus its sidecar."""

from __future__ import annotations

import copy
from pathlib import Path

import torch
from torch import nn

from inspector.core.io.files import write_atomically
from inspector.core.models.formats.sidecar import write_sidecar


def save_copy(net: nn.Module, path: str | Path, *, class_names: list[str], task: str) -> Path:
    """Write ``net`` (28x28 grey in [0, 1] -> logits) as a torch.export program with a dynamic batch, atomically.

    Beside it goes the sidecar ``PATH.inspector.json`` (input size, channels, class
    names, ``task``), so ``--model PATH`` loads it as it was trained.

    Raises:
        ExportError: the folder cannot be written.
    """
    path = Path(path)
    example = torch.rand(2, 1, 28, 28)
    program = torch.export.export(
        copy.deepcopy(net).eval(), (example,), dynamic_shapes=({0: torch.export.Dim("batch")},)
    )
    write_sidecar(path, {"input_size": [28, 28], "channels": 1, "class_names": list(class_names), "task": task})
    write_atomically(path, lambda fh: torch.export.save(program, fh))
    return path
