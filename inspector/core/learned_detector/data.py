"""The clean, labelled images a learned detector is trained, calibrated and tested on.

Three kinds of source, read by the loaders the rest of the tool uses:

- ``mnist-train``: the 8,000 shipped training digits; calibration and test images come from the
  2,000 held-out digits no shipped model trained on;
- a GTSRB ``.npz`` file (:func:`~inspector.core.io.datasets.gtsrb.load_npz`): the last tenth of
  each class (whole tracks) is held out;
- a folder of labelled images in any layout ``inspector harden`` reads
  (:func:`~inspector.core.training.hardening.dataset.load_split`): its last tenth of each class is held out.

The held-out images are shuffled (seeded) and cut in two halves: one calibrates the threshold,
the other is the test set of the generalisation table. The detector never trains on either.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from inspector.core.defenses.detection import min_calibration_images
from inspector.core.io.datasets.gtsrb import load_npz, train_validation_split
from inspector.core.models.classifier import Classifier
from inspector.core.training.hardening.dataset import MNIST_TRAIN, load_split
from inspector.core.util.bounds import check_count
from inspector.core.util.errors import ImageError, ParameterError
from inspector.core.util.messages import show_path

#: The fewest clean training images (as many adversarials are made from them).
MIN_TRAINING_IMAGES = 10


@dataclass
class DetectorData:
    """Clean images (N, C, H, W) float32 in [0, 1] and labels (N,) int64 of three disjoint sets."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_calibration: torch.Tensor
    y_calibration: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    description: str


def load_detector_data(
    spec: str | os.PathLike,
    model: Classifier,
    *,
    limit: int | None = None,
    held_out: int | None = None,
    seed: int = 0,
) -> DetectorData:
    """The images of ``spec`` at ``model``'s input size: at most ``limit`` to train on (a seeded random
    choice) and at most ``held_out`` held-out ones, half to calibrate on and half to test on.

    Raises:
        ImageError: as :func:`~inspector.core.training.hardening.dataset.load_split` and
            :func:`~inspector.core.io.datasets.gtsrb.load_npz`; an ``.npz`` for a model that does not take
            32x32 RGB road signs of 43 classes.
        ClassNameError: a label that names no class of the model.
        ParameterError: ``limit`` or ``held_out`` outside 1..MAX_COUNT.
    """
    for value, what in ((limit, "limit"), (held_out, "held_out")):
        if value is not None:
            check_count(value, f"the {what.replace('_', '-')} image count", param=what)
    spec = str(spec)
    if spec.endswith(".npz"):
        if (model.channels, tuple(model.input_size), model.num_classes) != (3, (32, 32), 43):
            raise ImageError(f"{show_path(spec)} holds 32x32 RGB road signs of 43 classes; {model.name} takes others")
        split = train_validation_split(*load_npz(spec))
        (x, y), (vx, vy) = split["train"], split["validation"]
        where = f"{show_path(spec)} (last tenth of each class held out)"
    else:
        loaded = load_split(spec, model)
        x, y, vx, vy = loaded.x_train, loaded.y_train, loaded.x_val, loaded.y_val
        where = MNIST_TRAIN + " (held out: mnist-heldout)" if spec == MNIST_TRAIN else show_path(spec)
    generator = torch.Generator().manual_seed(seed)
    train = torch.randperm(len(y), generator=generator)[:limit]
    held = torch.randperm(len(vy), generator=generator)[:held_out]
    half = (len(held) + 1) // 2
    calibration, test = held[:half], held[half:]
    description = f"{where}: {len(train):,} training, {len(calibration):,} calibration and {len(test):,} test images"
    return DetectorData(x[train], y[train], vx[calibration], vy[calibration], vx[test], vy[test], description)


def check_enough(data: DetectorData, fpr: float) -> None:
    """Raise ParameterError unless ``data`` has :data:`MIN_TRAINING_IMAGES` training images and the
    calibration images a threshold at ``fpr`` needs (:func:`~inspector.core.defenses.detection.min_calibration_images`)."""
    if len(data.y_train) < MIN_TRAINING_IMAGES:
        raise ParameterError(
            f"{len(data.y_train)} training images are too few to train a detector: it takes at least "
            f"{MIN_TRAINING_IMAGES}"
        )
    n, need = len(data.y_calibration), min_calibration_images(fpr)
    if n < need:
        raise ParameterError(
            f"{n} held-out clean images cannot calibrate the detector for a false positive rate of {fpr:g}: "
            f"that takes at least {need} (or fpr >= {1 / (n + 1):.2g}); give more images",
            param="fpr",
        )
