"""torch.export programs (``.pt2``, ``torch.export.save``): the successor of TorchScript.

``torch.export.load`` alone is not safe on a file from someone else: it
unpickles some members, loads AOTInductor libraries, hands expression strings
to sympy and calls whatever the graph names. So a ``.pt2`` is read once into
memory and checked before torch sees it (:mod:`inspector.core.models.formats.pt2_archive`
for the members, :mod:`inspector.core.models.formats.pt2_program` for the graph); torch
then loads those same bytes, the module is built without executing the
program's guard code, and it is run once on fake tensors
(:func:`inspector.core.models.cost_bound.check_cost`) before any real run, so a graph
that would take too much memory or time is refused naming its op; so is each
new batch size before its first real run (its shapes may grow faster than the batch).

The input shape the program was exported with gives the defaults of the input
size and channels; a sidecar may set them only where the program leaves them
free. Export the model in eval mode (the graph keeps the mode it was traced in)
and with a dynamic batch dimension: attacks run one image, the load-time probe two.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from torch import nn
from torch._subclasses.fake_tensor import FakeTensor

from inspector.core.io.untrusted import read_bytes
from inspector.core.models.classifier import Classifier
from inspector.core.models.cost_bound import MAX_BYTES, MAX_FLOPS, Cost, check_cost
from inspector.core.models.formats.pt2_archive import check_archive
from inspector.core.models.formats.pt2_program import check_program
from inspector.core.models.formats.sidecar import classifier_for, sidecar_path
from inspector.core.models.metadata import MAX_SIDE, ModelMetadata
from inspector.core.models.probe import PROBE_BATCH
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import one_line, show_path

TASK = "torch.export program"
#: The largest .pt2 file read.
MAX_PT2_BYTES = 16 * 2**30
_SAVE_HINT = "save one with torch.export.save(torch.export.export(model, (x,)), 'model.pt2')"


class ExportedNet(nn.Module):
    """The module of a torch.export program: ``forward`` runs its graph.

    The graph was traced in one mode, so ``train()`` and ``eval()`` change only the
    flag (the program's own module refuses both). The module is built with
    ``check_guards=False``: the program's guard code is Python that would be executed.

    A graph's shapes may be any expression of the batch size (``s0**4``, a step at
    ``s0 > 64``), so the cost found at the probe's batch bounds no other batch. Before
    the first real run at each batch size, :meth:`forward` runs the graph on fake
    tensors of that size, bounded by the cost at the probe's batch grown in proportion
    (:meth:`bound`, set when loading), and refuses it (:class:`~inspector.core.models.cost_bound.CostError`)
    if it costs more.
    """

    def __init__(self, program: torch.export.ExportedProgram, where: str):
        super().__init__()
        self.graph_module = program.module(check_guards=False)
        self.where = where
        self.limits: tuple[int, int, int, int] | None = None  # (floor bytes, floor FLOPs, bytes, FLOPs per image)
        self.checked_batches: set[int] = set()

    def bound(self, cost: Cost, batch: int, max_bytes: int, max_flops: int) -> None:
        """Bound every run: at most ``max_bytes`` and ``max_flops``, or twice ``cost`` (a run at ``batch``) per
        image more."""
        self.limits = (max_bytes, max_flops, -(-2 * cost.total_bytes // batch), -(-2 * cost.flops // batch))
        self.checked_batches = {batch}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        if self.limits is not None and n not in self.checked_batches and not isinstance(x, FakeTensor):
            floor_bytes, floor_flops, image_bytes, image_flops = self.limits
            check_cost(
                self.graph_module,
                tuple(x.shape),
                f"{self.where} (a batch of {n})",
                max_bytes=max(floor_bytes, n * image_bytes),
                max_flops=max(floor_flops, n * image_flops),
            )
            self.checked_batches.add(n)
        return self.graph_module(x)

    def train(self, mode: bool = True) -> ExportedNet:
        self.training = mode
        return self


def load_exported(path: Path) -> Classifier:
    """The program in ``path`` as a module (``ExportedProgram.module()``), fed as its sidecar says.

    Nothing in the file is unpickled or run as code; the module is checked to run within
    :data:`~inspector.core.models.cost_bound.MAX_BYTES` and :data:`~inspector.core.models.cost_bound.MAX_FLOPS`
    (more for a larger file) before it is returned.

    Raises:
        ModelError: not a torch.export archive; a member torch would unpickle or load as code;
            a graph that calls a refused operator or expression; a sidecar that breaks the schema
            or contradicts the program's input; a graph over the cost bound (one line each).
    """
    shown = show_path(path)
    data = read_bytes(path, ModelError, "model", MAX_PT2_BYTES)
    archive = check_archive(data, shown)
    check_program(archive.program, shown)
    with _quiet_torch() as errors:
        try:
            program = torch.export.load(io.BytesIO(data))
            net = ExportedNet(program, shown)
        except Exception as exc:  # torch raises RuntimeError, KeyError, AssertionError ... for a bad archive
            cause = errors[0] if errors else exc
            raise ModelError(f"{shown}: not a torch.export program ({one_line(cause)}); {_SAVE_HINT}") from None
    model = classifier_for(net, path, _declared(program))
    _check_input(program, model, path)
    max_bytes, max_flops = MAX_BYTES + 4 * len(data), MAX_FLOPS + 1000 * len(data)
    cost = check_cost(
        model, (PROBE_BATCH, model.channels, *model.input_size), shown, max_bytes=max_bytes, max_flops=max_flops
    )
    net.bound(cost, PROBE_BATCH, max_bytes, max_flops)
    return model


@contextmanager
def _quiet_torch() -> Iterator[list[BaseException]]:
    """Silence torch.export's logged tracebacks and warnings; yields the list of exceptions it logged."""
    errors: list[BaseException] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.exc_info and record.exc_info[1] is not None:
                errors.append(record.exc_info[1])

    loggers = [logging.getLogger(name) for name in ("torch.export", "torch._export", "torch.fx")]
    saved = [(log.propagate, log.handlers[:]) for log in loggers]
    handler = Keep()
    for log in loggers:
        log.propagate = False
        log.handlers = [handler]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield errors
    finally:
        for log, (propagate, handlers) in zip(loggers, saved, strict=True):
            log.propagate, log.handlers = propagate, handlers


def _declared(program: torch.export.ExportedProgram) -> ModelMetadata:
    """Defaults from the example input the program was exported with, where it is one image batch (N, C, H, W)."""
    args: tuple[tuple, dict] = getattr(program, "example_inputs", None) or ((), {})
    first = args[0][0] if args[0] else None
    if isinstance(first, torch.Tensor) and first.dim() == 4 and first.shape[1] in (1, 3):
        c, h, w = (int(n) for n in first.shape[1:])
        if 1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE:
            return ModelMetadata(input_size=(h, w), channels=c, task=TASK)
    return ModelMetadata(task=TASK)


def _check_input(program: torch.export.ExportedProgram, model: Classifier, path: Path) -> None:
    """The program must take one image batch (N, C, H, W) whose fixed sizes agree with the metadata.

    Raises:
        ModelError: it takes another number of inputs, or a tensor of another rank, or a fixed
            channel count or image side that the sidecar contradicts (naming the key).
    """
    shown = show_path(path)
    placeholders = {node.name: node for node in program.graph.nodes if node.op == "placeholder"}
    inputs = [placeholders.get(name) for name in program.graph_signature.user_inputs]
    value = inputs[0].meta.get("val") if len(inputs) == 1 and inputs[0] is not None else None
    if not isinstance(value, torch.Tensor):
        raise ModelError(
            f"{shown}: the program takes {len(inputs)} inputs; an image classifier takes one "
            "batch of images (N, C, H, W)"
        )
    dims = tuple(value.shape)
    declared = "x".join(str(d) if isinstance(d, int) else "any" for d in dims[1:])
    where = show_path(sidecar_path(path)) if sidecar_path(path).is_file() else shown
    if len(dims) != 4:
        raise ModelError(
            f"{shown}: the program takes inputs of {len(dims)} dimensions ({declared} after the "
            "batch); an image classifier takes a batch of images (N, C, H, W)"
        )
    wanted = {
        "channels": (dims[1], model.channels),
        "input_size height": (dims[2], model.input_size[0]),
        "input_size width": (dims[3], model.input_size[1]),
    }
    for key, (fixed, given) in wanted.items():
        if isinstance(fixed, int) and fixed != given:
            name = key.split()[0]
            said = list(model.input_size) if name == "input_size" else given
            raise ModelError(
                f"{where}: {name} {said} contradicts the program, which takes {declared} images "
                f"(C x H x W); set {name} to match it or remove the key"
            )
