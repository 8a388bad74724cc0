"""The training loop shared by every method: epochs of shuffled mini-batches with
Adam, progress reports, cancellation, and a resumable checkpoint.

Each epoch seeds its own shuffle and dropout from ``seed`` and the epoch
number, so a run resumed from the checkpoint ends with the same weights as an
uninterrupted one.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import torch
from torch import nn

from inspector.core.io.files import write_atomically
from inspector.core.io.out_folder import check_member, read_member
from inspector.core.util.errors import ExportError, ModelError
from inspector.core.util.messages import one_line, show_path

#: The largest checkpoint read back, in bytes (an MNIST network with Adam's moments is about 10 MB).
MAX_CHECKPOINT_BYTES = 256 * 2**20


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
    def __call__(
        self, net: nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int, progress: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
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
    lr_schedule: Callable[[int], float] | None = None,
    seed: int = 0,
    checkpoint: str | os.PathLike | None = None,
    resume: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_epoch: Callable[[int], None] | None = None,
) -> bool:
    """Train ``net`` in place on (x, y) for ``epochs`` epochs; True if it finished, False if stopped.

    After each epoch the state (weights, optimiser, epoch) is written to
    ``checkpoint``; with ``resume`` an existing checkpoint is loaded first and
    training continues after its last finished epoch. Leaves ``net`` in eval mode.
    ``lr_schedule(epoch)`` (0-based) multiplies ``lr`` during that epoch; None: constant.
    ``on_epoch(epochs_done)`` is called after each epoch's checkpoint is written, with ``net`` in eval mode.

    Raises:
        ModelError: the checkpoint to resume from is unreadable or for another network.
        ExportError: the checkpoint cannot be written.
    """
    optimizer = torch.optim.Adam(net.parameters(), lr=lr)
    start = 0
    if resume and checkpoint is not None and os.path.lexists(checkpoint):
        start = checked_epoch(_load_checkpoint(Path(checkpoint), net, optimizer, stage), epochs, checkpoint)
    n = len(x)
    batches = (n + batch_size - 1) // batch_size
    for epoch in range(start, epochs):
        for group in optimizer.param_groups:  # set from the epoch alone, so a resumed run gets the same rates
            group["lr"] = lr * (1.0 if lr_schedule is None else lr_schedule(epoch))
        torch.manual_seed(seed * 1000 + epoch)
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 1000 + epoch))
        total_loss, correct, seen = 0.0, 0, 0
        for b in range(batches):
            if should_stop is not None and should_stop():
                net.eval()
                return False
            idx = order[b * batch_size : (b + 1) * batch_size]
            xb, yb = x[idx], y[idx]
            net.train()
            loss, logits = loss_fn(net, xb, yb, seed=(seed * 1000 + epoch) * 10000 + b, progress=epoch + b / batches)
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
        if on_epoch is not None:
            net.eval()
            on_epoch(epoch + 1)
    net.eval()
    return True


def _save_checkpoint(path: Path, net: nn.Module, optimizer, stage: str, epoch: int) -> None:
    write_checkpoint(
        path, {"stage": stage, "epoch": epoch, "net": net.state_dict(), "optimizer": optimizer.state_dict()}
    )


def write_checkpoint(path: Path, state: dict) -> None:
    """Save a training checkpoint ``state`` to ``path`` atomically (a kill leaves the old one or none);
    a symbolic link or anything but a regular file at ``path`` is refused, never written through.

    Raises:
        ExportError: the file cannot be written, or something other than a regular file is in its place.
    """
    check_member(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot write the checkpoint {show_path(path)}: {exc.strerror or exc}") from None
    write_atomically(path, lambda fh: torch.save(state, fh))


def read_checkpoint(path: Path) -> dict:
    """The checkpoint at ``path``, read bounded, never through a link, with torch's weights-only loader.

    Raises:
        ModelError: a symbolic link, hard link or non-regular file; over MAX_CHECKPOINT_BYTES;
            unreadable, or not a dictionary.
    """
    data = read_member(path, ModelError, "checkpoint", MAX_CHECKPOINT_BYTES)
    try:
        state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # pickle and zip errors have no common base
        raise ModelError(f"cannot resume from {show_path(path)}: {one_line(exc)}; delete it to start afresh") from None
    if not isinstance(state, dict):
        raise ModelError(f"cannot resume from {show_path(path)}: not a checkpoint; delete it to start afresh")
    return state


def checked_epoch(epoch: int, epochs: int, path) -> int:
    """``epoch`` read from the checkpoint ``path``, if it is from 0 to ``epochs``.

    Raises:
        ModelError: it is not.
    """
    if type(epoch) is not int or not 0 <= epoch <= epochs:
        raise ModelError(
            f"cannot resume from {show_path(path)}: its epoch {one_line(repr(epoch), 40)} is not "
            f"from 0 to {epochs}; delete it to start afresh"
        )
    return epoch


def _load_checkpoint(path: Path, net: nn.Module, optimizer, stage: str) -> int:
    state = read_checkpoint(path)
    try:
        if state.get("stage") != stage:
            raise ValueError(f"it is for stage {state.get('stage')!r}, not {stage!r}")
        net.load_state_dict(state["net"])
        optimizer.load_state_dict(state["optimizer"])
        return state["epoch"]
    except Exception as exc:  # key and shape errors have no common base
        raise ModelError(f"cannot resume from {show_path(path)}: {one_line(exc)}; delete it to start afresh") from None
