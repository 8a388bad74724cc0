"""The MNIST split the shipped MNIST models are trained and evaluated on.

The data are the 10,000 digits of the MNIST test set (LeCun, Bottou, Bengio
and Haffner 1998): the first 8,000 train, the last 2,000 are held out.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from inspector.core.datasets.idx import load_mnist
from inspector.core.errors import ImageError
from inspector.core.messages import show_path

IMAGES_FILE = "t10k-images-idx3-ubyte.gz"
LABELS_FILE = "t10k-labels-idx1-ubyte.gz"
TRAIN_SIZE = 8000
HELD_OUT_SIZE = 2000

#: Where a source checkout finds the data: ``../shared/data/mnist`` beside the repository.
DEFAULT_DIR = Path(__file__).resolve().parents[4] / "shared" / "data" / "mnist"


def mnist_split(folder: str | os.PathLike | None = None) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """``{"train": (x, y), "held_out": (x, y)}``: the first 8,000 and the last 2,000 digits.

    x is (N, 1, 28, 28) float32 in [0, 1], y (N,) int64.

    Raises:
        ImageError: the folder lacks the two IDX files, or they hold other than 10,000 digits.
    """
    folder = Path(folder) if folder is not None else DEFAULT_DIR
    if not (folder / IMAGES_FILE).is_file():
        raise ImageError(f"{show_path(folder)}: no {IMAGES_FILE} here; pass the folder holding the MNIST IDX files")
    x, y = load_mnist(folder / IMAGES_FILE, folder / LABELS_FILE)
    if len(y) != TRAIN_SIZE + HELD_OUT_SIZE:
        raise ImageError(f"{show_path(folder)}: {len(y)} digits, expected the 10,000 of the MNIST test set")
    return {"train": (x[:TRAIN_SIZE], y[:TRAIN_SIZE]), "held_out": (x[TRAIN_SIZE:], y[TRAIN_SIZE:])}
