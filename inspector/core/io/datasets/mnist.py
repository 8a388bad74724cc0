"""The MNIST split the shipped MNIST models are trained and evaluated on.

The data are the 10,000 digits of the MNIST test set (LeCun, Bottou, Bengio
and Haffner 1998): the first 8,000 train, the last 2,000 are held out.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import torch

from inspector.core.io.datasets.idx import load_mnist
from inspector.core.io.resources import HELD_OUT_DIGITS, resource_path
from inspector.core.util.errors import ImageError
from inspector.core.util.messages import show_path

IMAGES_FILE = "t10k-images-idx3-ubyte.gz"
LABELS_FILE = "t10k-labels-idx1-ubyte.gz"
TRAIN_SIZE = 8000
HELD_OUT_SIZE = 2000
#: The split as shipped in ``resources/images``: the 8,000 members and the 2,000 held-out digits.
MEMBER_IMAGES = "mnist-members-images-idx3-ubyte.gz"
MEMBER_LABELS = "mnist-members-labels-idx1-ubyte.gz"
HELD_OUT_IMAGES = HELD_OUT_DIGITS
HELD_OUT_LABELS = "mnist-heldout-labels-idx1-ubyte.gz"


def mnist_split(folder: str | os.PathLike | None = None) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """``{"train": (x, y), "held_out": (x, y)}``: the first 8,000 and the last 2,000 digits.

    x is (N, 1, 28, 28) float32 in [0, 1], y (N,) int64. ``folder``: one holding the
    MNIST test set's two IDX files; None: the copy the product ships.

    Raises:
        ImageError: the folder lacks the two IDX files, or they hold other than 10,000 digits.
    """
    if folder is None:
        return {"train": member_digits(), "held_out": heldout_digits()}
    folder = Path(folder)
    if not (folder / IMAGES_FILE).is_file():
        raise ImageError(f"{show_path(folder)}: no {IMAGES_FILE} here; pass the folder holding the MNIST IDX files")
    x, y = load_mnist(folder / IMAGES_FILE, folder / LABELS_FILE)
    if len(y) != TRAIN_SIZE + HELD_OUT_SIZE:
        raise ImageError(f"{show_path(folder)}: {len(y)} digits, expected the 10,000 of the MNIST test set")
    return {"train": (x[:TRAIN_SIZE], y[:TRAIN_SIZE]), "held_out": (x[TRAIN_SIZE:], y[TRAIN_SIZE:])}


@lru_cache(maxsize=1)
def member_digits() -> tuple[torch.Tensor, torch.Tensor]:
    """The 8,000 training digits the product ships: x (8000, 1, 28, 28) in [0, 1], y (8000,) int64."""
    return load_mnist(resource_path("images", MEMBER_IMAGES), resource_path("images", MEMBER_LABELS))


@lru_cache(maxsize=1)
def heldout_digits() -> tuple[torch.Tensor, torch.Tensor]:
    """The 2,000 held-out digits the product ships: x (2000, 1, 28, 28) in [0, 1], y (2000,) int64."""
    return load_mnist(resource_path("images", HELD_OUT_IMAGES), resource_path("images", HELD_OUT_LABELS))
