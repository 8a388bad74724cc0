"""The digits the privacy attacks use: the attacker's unlabelled query pools and the held-out digits.

Pools (what an extraction attacker may query the victim with; none is chosen
with the victim's training labels):

- ``members``: the 8,000 digits the shipped MNIST models trained on, without
  their labels (``resources/images/mnist-members-images-idx3-ubyte.gz``);
- ``transformed``: the same digits, each randomly rotated (up to 20 degrees),
  scaled (0.85 to 1.15) and shifted (up to 3 pixels), with a fixed seed;
- a path: any IDX image file of 28x28 grey digits (``.gz`` or not).

The held-out digits (the last 2,000 of the MNIST test set, shipped with their
labels) are where fidelity and accuracy are measured; no pool contains them.
"""

from __future__ import annotations

import torch

from inspector.core.io.datasets.idx import read_idx
from inspector.core.io.datasets.mnist import MEMBER_IMAGES, heldout_digits
from inspector.core.io.resources import resource_path
from inspector.core.privacy.augment import random_affine
from inspector.core.util.errors import ImageError
from inspector.core.util.messages import show_path

POOLS = ("members", "transformed")
#: The seed of the ``transformed`` pool's transforms (the pool is the same in every run).
TRANSFORM_SEED = 1234


def query_pool(spec: str = "members") -> torch.Tensor:
    """The unlabelled query pool ``spec`` names: (N, 1, 28, 28) float32 in [0, 1].

    Raises:
        ImageError: the file is missing or not an IDX file of 28x28 images, or it holds no image.
    """
    if spec in POOLS:
        x = _digits(resource_path("images", MEMBER_IMAGES))
        if spec == "transformed":
            x = random_affine(x, torch.Generator().manual_seed(TRANSFORM_SEED), rotation=20.0, scale=0.15, shift=3)
    else:
        x = _digits(spec)
    if len(x) == 0:
        raise ImageError(f"the query pool {show_path(spec)} is empty: give an IDX file with at least one digit")
    return x


def held_out() -> tuple[torch.Tensor, torch.Tensor]:
    """The 2,000 held-out digits and their labels: x (2000, 1, 28, 28) in [0, 1], y (2000,) int64."""
    return heldout_digits()


def _digits(path) -> torch.Tensor:
    pixels = read_idx(path)
    if pixels.ndim != 3 or pixels.shape[1:] != (28, 28) or pixels.dtype.itemsize != 1:
        raise ImageError(f"{show_path(path)}: not an IDX file of 28x28 grey digits (shape {pixels.shape})")
    return torch.from_numpy(pixels.astype("float32") / 255.0).unsqueeze(1)
