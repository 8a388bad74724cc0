"""``inspector train``: reproduce a shipped MNIST model from the data.

The methods (``standard``, ``pgd-at``, ``distilled``, ``dp``) are
:data:`~inspector.core.training.methods.TRAINING_METHODS`. Each trains
:class:`~inspector.core.models.zoo.mnist_cnn.MnistCNN` on the first 8,000 digits of
the MNIST test set and writes ``mnist-<method>.safetensors`` (``mnist-smooth-<sigma>`` for ``smooth``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn

from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.io.out_folder import check_folder
from inspector.core.io.resources import resource_path
from inspector.core.models.zoo.mnist_cnn import MnistCNN, save_weights
from inspector.core.training.loop import Progress
from inspector.core.training.method import TrainingMethod
from inspector.core.training.methods import TRAINING_METHODS
from inspector.core.util.bounds import check_seed


@dataclass
class TrainReport:
    """What :func:`train` made: the weights file, and its clean accuracy on the 2,000 held-out digits."""

    method: str
    path: Path
    epochs: int
    held_out_accuracy: float
    seconds: float
    finished: bool
    epsilon: float | None = None


def train(
    method: str,
    *,
    data: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
    epochs: int | None = None,
    params: dict | None = None,
    resume: bool = False,
    seed: int = 0,
    limit: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainReport:
    """Train ``mnist-<method>`` and write ``<out_dir>/<recipe's model_name>.safetensors``.

    Checkpoints ``mnist-<method>[.<stage>].ckpt`` in ``out_dir`` after each
    epoch; ``resume`` continues from them; they are deleted once the weights
    are written. ``params`` sets the method's parameters (text or typed, by name: see
    :data:`~inspector.core.training.methods.TRAINING_METHODS`); ``epochs``, when not None, is
    its ``epochs``. ``limit`` trains on the first ``limit`` digits only (smoke tests).

    Raises:
        ParameterError: unknown method, a bad parameter (its ``param`` names it), or seed outside
            0..MAX_TRAIN_SEED (each epoch and batch derives its own seeds from it, x 10^7, within
            torch's 64 bits).
        ImageError: the MNIST files are missing or corrupt.
        ModelError, ExportError: a checkpoint cannot be read or written.
    """
    recipe = TRAINING_METHODS.make(method, (params or {}) | ({} if epochs is None else {"epochs": epochs}))
    check_seed(seed, "the seed", param="seed")
    out = Path(out_dir) if out_dir is not None else resource_path("models")
    name = recipe.model_name
    check_folder(out, [f"{name}.safetensors", *recipe.checkpoint_names(name)])  # before any work
    split = mnist_split(data)
    x, y = split["train"]
    if limit is not None:
        x, y = x[:limit], y[:limit]
    start = time.perf_counter()
    trained = train_network(
        recipe,
        x,
        y,
        seed=seed,
        checkpoint_stem=out / name,
        resume=resume,
        on_progress=on_progress,
        should_stop=should_stop,
    )
    net = trained.net
    path = out / f"{name}.safetensors"
    if trained.finished:
        save_weights(net, path, trained.metadata | {"train": f"first {len(y)} digits"})
        for c in trained.checkpoints:
            c.unlink(missing_ok=True)
    hx, hy = split["held_out"]
    with torch.no_grad():
        accuracy = (net.eval()(hx).argmax(1) == hy).float().mean().item()
    return TrainReport(
        recipe.name, path, recipe.epochs, accuracy, time.perf_counter() - start, trained.finished, trained.epsilon
    )


@dataclass
class TrainedNetwork:
    """What :func:`train_network` made: the network (eval mode), whether it finished, the
    training settings as metadata, its checkpoint files and, for ``dp``, the epsilon spent."""

    net: nn.Module
    finished: bool
    metadata: dict[str, str]
    checkpoints: list[Path]
    epsilon: float | None = None


def train_network(
    method: TrainingMethod,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    seed: int,
    checkpoint_stem: Path,
    resume: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainedNetwork:
    """Train a new :class:`MnistCNN` on x (N, 1, 28, 28) in [0, 1], y (N,) with the recipe ``method``.

    The weight initialisation is seeded with ``seed``. Checkpoints go to
    ``<checkpoint_stem>[.<stage>].ckpt`` after each epoch; ``resume`` continues from them.

    Raises:
        ModelError, ExportError: a checkpoint cannot be read or written.
    """
    stem = Path(checkpoint_stem)
    torch.manual_seed(seed)
    checkpoints = [stem.with_name(name) for name in method.checkpoint_names(stem.name)]
    fitted = method.fit(
        MnistCNN(),
        x,
        y,
        seed=seed,
        checkpoints=checkpoints,
        resume=resume,
        on_progress=on_progress,
        should_stop=should_stop,
    )
    meta = {"method": method.name, "epochs": str(method.epochs), "lr": str(method.lr), "seed": str(seed)}
    return TrainedNetwork(fitted.net.eval(), fitted.finished, meta | fitted.metadata, checkpoints, fitted.epsilon)
