"""The training loop shared by every method: epochs of shuffled mini-batches with
Adam, progress reports, cancellation, and a resumable checkpoint.

Each epoch seeds its own shuffle and dropout from ``seed`` and the epoch
number, so a run resumed from the checkpoint ends with the same weights as an
uninterrupted one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import torch
from torch import nn

from inspector.core.errors import ExportError, ModelError
from inspector.core.messages import one_line, show_path


@dataclass
class Progress:
    """One training batch, as reported to ``on_progress``.

    Attributes:
        stage: what is being trained (``"standard"``, ``"teacher"``, ...).
        epoch: 1-based epoch; ``epochs`` planned.
        batch: 1-based batch within the epoch; ``batches`` per epoch.
        loss: mean training loss over the epoch so far.
        accuracy: fraction of the epoch's training inputs so far classified correctly.
    """

    stage: str
    epoch: int
    epochs: int
    batch: int
    batches: int
    loss: float
    accuracy: float


class BatchLoss(Protocol):
    def __call__(self, net: nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int,
                 progress: float) -> tuple[torch.Tensor, torch.Tensor]:
        """Scalar loss to minimise and the logits (N, K) it was computed on.

        x (N, C, H, W) in [0, 1]; y (N,) labels or (N, K) soft labels; ``seed``
        is unique to the batch; ``progress`` is the number of epochs done so far (2.5: half-way
        through the third epoch).
        """


def fit(
    net: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    loss_fn: BatchLoss,
    *,
    stage: str,
    epochs: int,
    batch_size: int = 100,
    lr: float = 1e-3,
    seed: int = 0,
    checkpoint: str | os.PathLike | None = None,
    resume: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> bool:
    """Train ``net`` in place on (x, y) for ``epochs`` epochs; True if it finished, False if stopped.

    After each epoch the state (weights, optimiser, epoch) is written to
    ``checkpoint``; with ``resume`` an existing checkpoint is loaded first and
    training continues after its last finished epoch. Leaves ``net`` in eval mode.

    Raises:
        ModelError: the checkpoint to resume from is unreadable or for another network.
        ExportError: the checkpoint cannot be written.
    """
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    start = 0
    if resume and checkpoint is not None and Path(checkpoint).is_file():
        start = _load_checkpoint(Path(checkpoint), net, optimizer, stage)
    n = len(x)
    batches = (n + batch_size - 1) // batch_size
    for epoch in range(start, epochs):
        torch.manual_seed(seed * 1000 + epoch)
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1000 + epoch))
        total_loss, correct, seen = 0.0, 0, 0
        for b in range(batches):
            if should_stop is not None and should_stop():
                net.eval()
                return False
            idx = order[b * batch_size:(b + 1) * batch_size]
            xb, yb = x[idx], y[idx]
            net.train()
            loss, logits = loss_fn(net, xb, yb, seed=(seed * 1000 + epoch) * 10000 + b,
                                   progress=epoch + b / batches)
            net.train()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            labels = yb if yb.dim() == 1 else yb.argmax(1)
            total_loss += loss.item() * len(idx)
            correct += int((logits.argmax(1) == labels).sum())
            seen += len(idx)
            if on_progress is not None:
                on_progress(Progress(stage, epoch + 1, epochs, b + 1, batches, total_loss / seen, correct / seen))
        if checkpoint is not None:
            _save_checkpoint(Path(checkpoint), net, optimizer, stage, epoch + 1)
    net.eval()
    return True


def _save_checkpoint(path: Path, net: nn.Module, optimizer, stage: str, epoch: int) -> None:
    write_checkpoint(path, {"stage": stage, "epoch": epoch, "net": net.state_dict(),
                            "optimizer": optimizer.state_dict()})


def write_checkpoint(path: Path, state: dict) -> None:
    """Save a training checkpoint ``state`` to ``path`` atomically (a kill leaves the old one or none).

    Raises:
        ExportError: the file cannot be written.
    """
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(state, tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise ExportError(f"cannot write the checkpoint {show_path(path)}: {exc.strerror or exc}") from None


def _load_checkpoint(path: Path, net: nn.Module, optimizer, stage: str) -> int:
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        if state.get("stage") != stage:
            raise ValueError(f"it is for stage {state.get('stage')!r}, not {stage!r}")
        net.load_state_dict(state["net"])
        optimizer.load_state_dict(state["optimizer"])
        return int(state["epoch"])
    except Exception as exc:  # pickle, key and shape errors have no common base
        raise ModelError(f"cannot resume from {show_path(path)}: {one_line(exc)}; "
                         "delete it to start afresh") from None
