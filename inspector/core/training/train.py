"""``inspector train``: reproduce a shipped MNIST model from the data.

Methods: ``standard``, ``pgd-at`` (Madry et al. 2018, arXiv:1706.06083) and
``distilled`` (Papernot et al. 2016, arXiv:1511.04508). Each trains
:class:`~inspector.core.zoo.mnist_cnn.MnistCNN` on the first 8,000 digits of
the MNIST test set and writes ``mnist-<method>.safetensors``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch

from inspector.core.datasets.mnist import mnist_split
from inspector.core.errors import ParameterError
from inspector.core.resources import resource_path
from inspector.core.training.distillation import TemperatureLoss, soft_labels
from inspector.core.training.loop import Progress, fit
from inspector.core.training.pgd_at import PGDAdversarialLoss
from inspector.core.training.standard import cross_entropy_loss
from inspector.core.zoo.mnist_cnn import MnistCNN, save_weights

METHODS = ("standard", "pgd-at", "distilled")
#: Epochs per method (for ``distilled``: per network, teacher then student).
DEFAULT_EPOCHS = {"standard": 6, "pgd-at": 6, "distilled": 6}
#: Adam learning rate per method: the distilled networks' logits must grow about T times larger.
LEARNING_RATES = {"standard": 1e-3, "pgd-at": 1e-3, "distilled": 3e-3}
TEMPERATURE = 100.0
#: The largest training seed: each epoch and batch derives its own seeds from it (x 10^7), within 64 bits.
MAX_TRAIN_SEED = 2**32 - 1
PGD_AT = PGDAdversarialLoss(eps=0.3, steps=8, warmup=2.4)


@dataclass
class TrainReport:
    """What :func:`train` made: the weights file, and its clean accuracy on the 2,000 held-out digits."""

    method: str
    path: Path
    epochs: int
    held_out_accuracy: float
    seconds: float
    finished: bool


def train(
    method: str,
    *,
    data: str | os.PathLike | None = None,
    out_dir: str | os.PathLike | None = None,
    epochs: int | None = None,
    resume: bool = False,
    seed: int = 0,
    limit: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainReport:
    """Train ``mnist-<method>`` and write ``<out_dir>/mnist-<method>.safetensors``.

    Checkpoints ``mnist-<method>[.<stage>].ckpt`` in ``out_dir`` after each
    epoch; ``resume`` continues from them; they are deleted once the weights
    are written. ``limit`` trains on the first ``limit`` digits only (smoke tests).

    Raises:
        ParameterError: unknown method, epochs < 1, or seed outside 0..MAX_TRAIN_SEED.
        ImageError: the MNIST files are missing or corrupt.
        ModelError, ExportError: a checkpoint cannot be read or written.
    """
    if method not in METHODS:
        raise ParameterError(f"unknown training method {method!r}: choose one of {', '.join(METHODS)}")
    epochs = DEFAULT_EPOCHS[method] if epochs is None else epochs
    if epochs < 1:
        raise ParameterError("--epochs must be at least 1")
    if not 0 <= seed <= MAX_TRAIN_SEED:
        raise ParameterError(f"--seed {seed} is out of range: give a whole number from 0 to {MAX_TRAIN_SEED}")
    split = mnist_split(data)
    x, y = split["train"]
    if limit is not None:
        x, y = x[:limit], y[:limit]
    out = Path(out_dir) if out_dir is not None else resource_path("models")
    name = f"mnist-{method}"
    start = time.perf_counter()
    common = dict(epochs=epochs, lr=LEARNING_RATES[method], seed=seed, resume=resume,
                  on_progress=on_progress, should_stop=should_stop)
    torch.manual_seed(seed)
    net = MnistCNN()
    checkpoints = [out / f"{name}.ckpt"]
    meta = {"method": method, "epochs": str(epochs), "lr": str(LEARNING_RATES[method]), "seed": str(seed),
            "train": f"first {len(y)} digits"}
    if method == "standard":
        done = fit(net, x, y, cross_entropy_loss, stage="standard", checkpoint=checkpoints[0], **common)
    elif method == "pgd-at":
        done = fit(net, x, y, PGD_AT, stage="pgd-at", checkpoint=checkpoints[0], **common)
        meta |= {"eps": str(PGD_AT.eps), "pgd_steps": str(PGD_AT.steps), "eps_warmup_epochs": str(PGD_AT.warmup)}
    else:
        loss = TemperatureLoss(TEMPERATURE)
        checkpoints = [out / f"{name}.teacher.ckpt", out / f"{name}.student.ckpt"]
        teacher = net
        done = fit(teacher, x, y, loss, stage="teacher", checkpoint=checkpoints[0], **common)
        if done:
            torch.manual_seed(seed + 1)
            net = MnistCNN()
            done = fit(net, x, soft_labels(teacher, x, TEMPERATURE), loss, stage="student",
                       checkpoint=checkpoints[1], **common)
        meta |= {"temperature": str(TEMPERATURE), "deployed_temperature": "1"}
    path = out / f"{name}.safetensors"
    if done:
        save_weights(net, path, meta)
        for c in checkpoints:
            c.unlink(missing_ok=True)
    hx, hy = split["held_out"]
    with torch.no_grad():
        accuracy = (net.eval()(hx).argmax(1) == hy).float().mean().item()
    return TrainReport(method, path, epochs, accuracy, time.perf_counter() - start, done)
