"""``inspector train``: reproduce a shipped MNIST model from the data.

Methods: ``standard``, ``pgd-at`` (Madry et al. 2018, arXiv:1706.06083),
``distilled`` (Papernot et al. 2016, arXiv:1511.04508) and ``dp`` (DP-SGD, Abadi et
al. 2016, arXiv:1607.00133). Each trains
:class:`~inspector.core.models.zoo.mnist_cnn.MnistCNN` on the first 8,000 digits of
the MNIST test set and writes ``mnist-<method>.safetensors``.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch

from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.util.bounds import MAX_EPOCHS, check_count, check_seed
from inspector.core.util.errors import ParameterError
from inspector.core.io.out_folder import check_folder
from inspector.core.io.resources import resource_path
from inspector.core.training.distillation import TemperatureLoss, soft_labels
from inspector.core.training.dp_sgd import DPSettings, fit_dp
from inspector.core.training.loop import Progress, fit
from inspector.core.training.pgd_at import PGDAdversarialLoss
from inspector.core.training.standard import cross_entropy_loss
from inspector.core.models.zoo.mnist_cnn import MnistCNN, save_weights

METHODS = ("standard", "pgd-at", "distilled", "dp")
#: Epochs per method (for ``distilled``: per network, teacher then student).
DEFAULT_EPOCHS = {"standard": 6, "pgd-at": 6, "distilled": 6, "dp": 10}
#: Adam learning rate per method: the distilled networks' logits must grow about T times larger.
LEARNING_RATES = {"standard": 1e-3, "pgd-at": 1e-3, "distilled": 3e-3, "dp": 1e-3}
TEMPERATURE = 100.0
PGD_AT = PGDAdversarialLoss(eps=0.3, steps=8, warmup=2.4)
DP = DPSettings(noise_multiplier=1.1, max_grad_norm=1.0, batch_size=100, lr=LEARNING_RATES["dp"], delta=1e-5)


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
        ParameterError: unknown method, epochs outside 1..MAX_EPOCHS, or seed outside 0..MAX_TRAIN_SEED
            (each epoch and batch derives its own seeds from it, x 10^7, within torch's 64 bits).
        ImageError: the MNIST files are missing or corrupt.
        ModelError, ExportError: a checkpoint cannot be read or written.
    """
    if method not in METHODS:
        raise ParameterError(f"unknown training method {method!r}: choose one of {', '.join(METHODS)}")
    epochs = DEFAULT_EPOCHS[method] if epochs is None else epochs
    check_count(epochs, "--epochs", maximum=MAX_EPOCHS)
    check_seed(seed, "--seed")
    out = Path(out_dir) if out_dir is not None else resource_path("models")
    name = f"mnist-{method}"
    check_folder(out, [f"{name}.safetensors", *checkpoint_names(method, name)])  # before any work
    split = mnist_split(data)
    x, y = split["train"]
    if limit is not None:
        x, y = x[:limit], y[:limit]
    start = time.perf_counter()
    trained = train_network(method, x, y, epochs=epochs, seed=seed, checkpoint_stem=out / name, resume=resume,
                            on_progress=on_progress, should_stop=should_stop)
    net = trained.net
    path = out / f"{name}.safetensors"
    if trained.finished:
        save_weights(net, path, trained.metadata | {"train": f"first {len(y)} digits"})
        for c in trained.checkpoints:
            c.unlink(missing_ok=True)
    hx, hy = split["held_out"]
    with torch.no_grad():
        accuracy = (net.eval()(hx).argmax(1) == hy).float().mean().item()
    return TrainReport(method, path, epochs, accuracy, time.perf_counter() - start, trained.finished,
                       trained.epsilon)


def checkpoint_names(method: str, stem: str) -> list[str]:
    """The names of the checkpoint files :func:`train_network` writes for ``method`` beside ``stem``."""
    stages = ("teacher", "student") if method == "distilled" else ("",)
    return [f"{stem}.{stage}.ckpt" if stage else f"{stem}.ckpt" for stage in stages]


@dataclass
class TrainedNetwork:
    """What :func:`train_network` made: the network (eval mode), whether it finished, the
    training settings as metadata, its checkpoint files and, for ``dp``, the epsilon spent."""

    net: MnistCNN
    finished: bool
    metadata: dict[str, str]
    checkpoints: list[Path]
    epsilon: float | None = None


def train_network(
    method: str,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    epochs: int,
    seed: int,
    checkpoint_stem: Path,
    resume: bool = False,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainedNetwork:
    """Train a new :class:`MnistCNN` on x (N, 1, 28, 28) in [0, 1], y (N,) with the recipe of ``method``.

    The recipe of the shipped ``mnist-<method>`` (learning rate, PGD, temperature, DP-SGD
    settings); the weight initialisation is seeded with ``seed``. Checkpoints go to
    ``<checkpoint_stem>[.<stage>].ckpt`` after each epoch; ``resume`` continues from them.

    Raises:
        ModelError, ExportError: a checkpoint cannot be read or written.
    """
    common = dict(epochs=epochs, lr=LEARNING_RATES[method], seed=seed, resume=resume,
                  on_progress=on_progress, should_stop=should_stop)
    stem = Path(checkpoint_stem)
    torch.manual_seed(seed)
    net = MnistCNN()
    checkpoints = [stem.with_name(name) for name in checkpoint_names(method, stem.name)]
    meta = {"method": method, "epochs": str(epochs), "lr": str(LEARNING_RATES[method]), "seed": str(seed)}
    epsilon = None
    if method == "standard":
        done = fit(net, x, y, cross_entropy_loss, stage="standard", checkpoint=checkpoints[0], **common)
    elif method == "pgd-at":
        done = fit(net, x, y, PGD_AT, stage="pgd-at", checkpoint=checkpoints[0], **common)
        meta |= {"eps": str(PGD_AT.eps), "pgd_steps": str(PGD_AT.steps), "eps_warmup_epochs": str(PGD_AT.warmup)}
    elif method == "dp":
        done, epsilon = fit_dp(net, x, y, DP, epochs=epochs, seed=seed, checkpoint=checkpoints[0], resume=resume,
                               on_progress=on_progress, should_stop=should_stop)
        meta |= {"optimizer": "DP-Adam", "noise_multiplier": str(DP.noise_multiplier),
                 "max_grad_norm": str(DP.max_grad_norm), "expected_batch_size": str(DP.batch_size),
                 "sampling": "Poisson", "epsilon": f"{epsilon:.3f}", "delta": str(DP.delta), "accountant": "RDP"}
    else:
        loss = TemperatureLoss(TEMPERATURE)
        teacher = net
        done = fit(teacher, x, y, loss, stage="teacher", checkpoint=checkpoints[0], **common)
        if done:
            torch.manual_seed(seed + 1)
            net = MnistCNN()
            done = fit(net, x, soft_labels(teacher, x, TEMPERATURE), loss, stage="student",
                       checkpoint=checkpoints[1], **common)
        meta |= {"temperature": str(TEMPERATURE), "deployed_temperature": "1"}
    return TrainedNetwork(net.eval(), done, meta, checkpoints, epsilon)
