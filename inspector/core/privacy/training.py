"""Training a stolen copy on the victim's answers, with the project's training loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from inspector.core.privacy.augment import random_affine
from inspector.core.training.distillation import TemperatureLoss
from inspector.core.training.loop import Progress, fit

#: Mini-batch size and Adam learning rate of the copy.
BATCH_SIZE = 50
LEARNING_RATE = 1e-3
#: Random shifts of up to this many pixels augment every training batch.
SHIFT = 2


@dataclass
class CopyLoss:
    """A :class:`~inspector.core.training.loop.BatchLoss`: cross-entropy on randomly shifted inputs.

    y is the victim's answers: labels (N,) or probabilities (N, K). With ``hard``,
    probabilities are replaced by their top-1 label (Copycat's hard labels).
    """

    hard: bool = False

    def __call__(
        self, net: nn.Module, x: torch.Tensor, y: torch.Tensor, *, seed: int, progress: float
    ) -> tuple[torch.Tensor, torch.Tensor]:
        x = random_affine(x, torch.Generator().manual_seed(seed), shift=SHIFT)
        if self.hard and y.dim() == 2:
            y = y.argmax(1)
        return TemperatureLoss(1.0)(net, x, y, seed=seed, progress=progress)


def train_copy(
    net: nn.Module,
    x: torch.Tensor,
    answers: torch.Tensor,
    loss: CopyLoss,
    *,
    epochs: int,
    seed: int,
    on_epoch: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> bool:
    """Train ``net`` in place on the queried images x (N, 1, 28, 28) and the victim's answers; False if stopped.

    ``on_epoch(e)`` is called after each finished epoch e (1-based).
    """

    def progress(p: Progress) -> None:
        if on_epoch is not None and p.batch == p.batches:
            on_epoch(p.epoch)

    return fit(
        net,
        x,
        answers,
        loss,
        stage="copy",
        epochs=epochs,
        batch_size=BATCH_SIZE,
        lr=LEARNING_RATE,
        seed=seed,
        on_progress=progress,
        should_stop=should_stop,
    )
