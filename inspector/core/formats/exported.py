"""torch.export programs (``.pt2``, ``torch.export.save``): the successor of TorchScript.

Loading one reads a graph and tensors, never a pickle of Python objects, so it
cannot run code from the file. The input shape the program was exported with
gives the defaults of the input size and channels; a sidecar overrides them.
Export the model in eval mode (the graph keeps the mode it was traced in) and
with a dynamic batch dimension: attacks run one image, the load-time probe two.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from inspector.core.classifier import Classifier
from inspector.core.errors import ModelError
from inspector.core.formats.sidecar import classifier_for
from inspector.core.messages import one_line, show_path
from inspector.core.model_metadata import MAX_SIDE, ModelMetadata

TASK = "torch.export program"


class ExportedNet(nn.Module):
    """The module of a torch.export program: ``forward`` runs its graph.

    The graph was traced in one mode, so ``train()`` and ``eval()`` change only the
    flag (the program's own module refuses both).
    """

    def __init__(self, program: torch.export.ExportedProgram):
        super().__init__()
        self.graph_module = program.module()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.graph_module(x)

    def train(self, mode: bool = True) -> "ExportedNet":
        self.training = mode
        return self


def load_exported(path: Path) -> Classifier:
    """The program in ``path`` as a module (``ExportedProgram.module()``), fed as its sidecar says.

    Raises:
        ModelError: not a torch.export archive, or its sidecar breaks the schema.
    """
    try:
        program = torch.export.load(str(path))
        net = ExportedNet(program)
    except Exception as exc:  # torch raises RuntimeError, KeyError, zip or JSON errors for a bad archive
        raise ModelError(f"{show_path(path)}: not a torch.export program ({one_line(exc)}); "
                         "save one with torch.export.save(torch.export.export(model, (x,)), 'model.pt2')") from None
    return classifier_for(net, path, _declared(program))


def _declared(program: torch.export.ExportedProgram) -> ModelMetadata:
    """Defaults from the example input the program was exported with, where it is one image batch (N, C, H, W)."""
    args = getattr(program, "example_inputs", None) or ((), {})
    first = args[0][0] if args[0] else None
    if isinstance(first, torch.Tensor) and first.dim() == 4 and first.shape[1] in (1, 3):
        c, h, w = (int(n) for n in first.shape[1:])
        if 1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE:
            return ModelMetadata(input_size=(h, w), channels=c, task=TASK)
    return ModelMetadata(task=TASK)
