"""The labelled images ``inspector harden`` trains and validates on, in memory, and the held-out split.

A folder in any layout of :func:`~inspector.core.evaluation.data.load_dataset` (``labels.csv``,
class subfolders as torchvision's ImageFolder, GTSRB's own), or ``mnist-train``: the 8,000
training digits that ship (:func:`~inspector.core.io.datasets.mnist.mnist_split`). A folder is
checked before anything loads: at most :data:`MAX_DATA_BYTES` as a float32 tensor at the
model's input size, every class of the model present, at least two images of each; its
validation split is the last tenth of each class (at least one image), never trained on.
``mnist-train`` is validated on the 2,000 held-out digits instead, which no shipped model
trained on, so the scores before hardening a shipped model are on unseen digits too.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

import torch

from inspector.core.evaluation.data import load_dataset
from inspector.core.io.datasets.mnist import heldout_digits, member_digits
from inspector.core.io.files import stat_path
from inspector.core.models.classifier import Classifier
from inspector.core.util.bounds import check_count
from inspector.core.util.errors import ImageError
from inspector.core.util.messages import show_path

#: The shipped MNIST training digits, by the name ``--data`` takes.
MNIST_TRAIN = "mnist-train"
#: The largest set loaded, in bytes of float32 pixels at the model's input size.
MAX_DATA_BYTES = 2 * 2**30
#: The share of each class held out for validation (its last images).
VALIDATION_SHARE = 0.1


@dataclass
class Split:
    """Training and validation images: x (N, C, H, W) float32 in [0, 1], y (N,) int64."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    description: str


def load_split(
    spec: str | os.PathLike, model: Classifier, *, limit: int | None = None, max_bytes: int = MAX_DATA_BYTES
) -> Split:
    """The set ``spec`` (its first ``limit`` images) at ``model``'s input size, split into training and validation.

    Raises:
        ImageError: no such folder, an empty one, an unreadable image or ``labels.csv`` (see
            :func:`~inspector.core.evaluation.data.load_dataset`), over ``max_bytes``, one class only,
            a class count other than the model's, or a class with fewer than two images.
        ClassNameError: a label that names no class of the model.
        ParameterError: ``limit`` outside 1..MAX_COUNT.
    """
    if limit is not None:
        check_count(limit, "the image limit", param="limit")
    spec = str(spec)
    if spec == MNIST_TRAIN:
        return _mnist_split(model, limit)
    x, y = _load_folder(Path(spec), model, limit, max_bytes)
    _check_classes(y, model, show_path(spec))
    train, val = stratified_split(y)
    description = (
        f"{show_path(spec)}: {len(train):,} training and {len(val):,} validation images "
        f"(the last tenth of each class held out)"
    )
    return Split(x[train], y[train], x[val], y[val], description)


def _mnist_split(model: Classifier, limit: int | None) -> Split:
    """The shipped training digits (the first ``limit``), validated on the held-out digits no shipped
    model trained on (the first quarter as many, as 2,000 to 8,000)."""
    if (model.channels, tuple(model.input_size), model.num_classes) != (1, (28, 28), 10):
        raise ImageError(
            f"{MNIST_TRAIN} holds 28x28 grey digits of 10 classes; {show_path(model.name)} takes "
            f"{model.input_size[0]}x{model.input_size[1]} with {model.channels} channel(s) and "
            f"{model.num_classes} classes"
        )
    x, y = member_digits()
    vx, vy = heldout_digits()
    if limit is not None:
        x, y, vx, vy = x[:limit], y[:limit], vx[: -(-limit // 4)], vy[: -(-limit // 4)]
    _check_classes(y, model, MNIST_TRAIN)
    description = (
        f"{MNIST_TRAIN}: {len(y):,} of the 8,000 MNIST training digits that ship; validation: {len(vy):,} of "
        "the 2,000 held-out digits (mnist-heldout), which no shipped model trained on"
    )
    return Split(x, y, vx, vy, description)


def _load_folder(
    folder: Path, model: Classifier, limit: int | None, max_bytes: int
) -> tuple[torch.Tensor, torch.Tensor]:
    info = stat_path(folder, ImageError)
    if info is None or not stat.S_ISDIR(info.st_mode):
        raise ImageError(f"{show_path(folder)}: not a folder of labelled images, nor {MNIST_TRAIN}")
    try:
        empty = not any(folder.iterdir())
    except OSError as exc:
        raise ImageError(f"{show_path(folder)}: cannot list the folder ({exc.strerror or exc})") from None
    if empty:
        raise ImageError(f"{show_path(folder)}: the folder is empty; harden needs labelled images")
    samples = load_dataset(str(folder), model, limit)
    height, width = model.input_size
    size = len(samples) * model.channels * height * width * 4
    if size > max_bytes:
        raise ImageError(
            f"{show_path(folder)}: {len(samples):,} images at {height}x{width} take {size / 2**30:.1f} GiB "
            f"in memory, over the {max_bytes / 2**30:.1f} GiB harden loads; use a smaller set"
        )
    x = torch.cat([s.load(model) for s in samples])
    return x, torch.tensor([s.label for s in samples], dtype=torch.int64)


def _check_classes(y: torch.Tensor, model: Classifier, where: str) -> None:
    counts = torch.bincount(y, minlength=model.num_classes)
    present = int((counts > 0).sum())
    if present < 2:
        raise ImageError(f"{where}: one class only; harden needs images of each of the model's classes")
    if present != model.num_classes:
        raise ImageError(
            f"{where}: images of {present} classes, the model has {model.num_classes}; "
            "harden needs images of each of its classes"
        )
    few = int(counts.argmin())
    if counts[few] < 2:
        raise ImageError(
            f"{where}: class {model.class_names[few]!r} has one image; harden needs two or more of each "
            "(one to train on, one to validate)"
        )


def stratified_split(y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (training, validation) of labels y (N,): the last tenth of each class (at least one)
    is validation; both in the original order."""
    val = torch.zeros(len(y), dtype=torch.bool)
    for c in torch.unique(y):
        members = torch.nonzero(y == c).flatten()
        val[members[len(members) - max(1, int(len(members) * VALIDATION_SHARE)) :]] = True
    return torch.nonzero(~val).flatten(), torch.nonzero(val).flatten()
