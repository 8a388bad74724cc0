"""Clean images to calibrate detectors on, and benign queries to calibrate a stateful detector on."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import torch
from PIL import Image

from inspector.core.io.datasets.idx import read_idx
from inspector.core.util.errors import ImageError, ParameterError
from inspector.core.io.files import stat_path
from inspector.core.io.image import IMAGE_SUFFIXES, load_tensor, preprocess, to_tensor
from inspector.core.util.messages import show_path
from inspector.core.models.classifier import Classifier
from inspector.core.io.resources import CALIBRATION_DIGITS, HELD_OUT_DIGITS, resource_path, sample_images


def benign_stream(model: Classifier, calibration: str | os.PathLike | None = None) -> torch.Tensor:
    """Benign queries (N, C, H, W) to calibrate a stateful detector on: the images of the folder
    ``calibration``, or for 28x28 grey models the 2,000 shipped held-out MNIST digits.

    Raises:
        ImageError: the folder is missing or holds no image.
        ParameterError: a colour model and no folder (the 3 sample photos are too few).
    """
    if calibration or model.channels != 1:
        if not calibration:
            raise ParameterError("the similarity detector calibrates on 999 or more benign images: give a folder "
                                 "of them (--calibration DIR), or use --stateful-detector blacklight")
        return calibration_images(model, calibration)
    digits = read_idx(resource_path("images", HELD_OUT_DIGITS))
    return torch.cat([to_tensor(preprocess(Image.fromarray(d, "L"), model.input_size, model.resize)) for d in digits])


def calibration_images(model: Classifier, calibration: str | os.PathLike | None = None) -> torch.Tensor:
    """Clean images (N, C, H, W) in [0, 1], at the model's input size, to calibrate detectors on.

    They are the images in the folder ``calibration``; by default the shipped ones of the
    model's kind: for grey models 400 held-out MNIST digits that no shipped model trained
    on, for colour models the 3 sample photos, too few for an fpr below 0.25 (see
    :func:`~inspector.core.defenses.detection.min_calibration_images`).

    Raises:
        ImageError: the folder is missing, holds no image, or an image is unreadable.
    """
    if calibration:
        folder = Path(calibration)
        info = stat_path(folder, ImageError)
        if info is None or not stat.S_ISDIR(info.st_mode):
            raise ImageError(f"{show_path(folder)}: no such folder of calibration images")
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise ImageError(f"{show_path(folder)}: no images to calibrate the detectors on")
    elif model.channels == 1:
        digits = read_idx(resource_path("images", CALIBRATION_DIGITS))
        return torch.cat([to_tensor(preprocess(Image.fromarray(d, "L"), model.input_size, model.resize)) for d in digits])
    else:
        files = sample_images(model.channels)
    return torch.cat([load_tensor(f, model.input_size, model.channels, model.resize) for f in files])
