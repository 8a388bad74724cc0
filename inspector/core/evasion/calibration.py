"""Clean images to calibrate detectors on, and benign queries to calibrate a stateful detector on."""

from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path

import torch
from PIL import Image

from inspector.core.evasion.samples import samples_for
from inspector.core.io.datasets.idx import read_idx
from inspector.core.io.files import stat_path
from inspector.core.io.image import IMAGE_SUFFIXES, load_tensor, preprocess, to_tensor
from inspector.core.io.resources import CALIBRATION_DIGITS, HELD_OUT_DIGITS, resource_path
from inspector.core.models.classifier import Classifier
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.errors import ImageError, InputWarning, ParameterError
from inspector.core.util.messages import show_path

#: The most images calibrated on from a folder (``--calibration``, a recipe's ``calibration``): all are
#: held at once, at the model's input size; the lowest false positive rate, 0.001, takes 999.
MAX_CALIBRATION_IMAGES = 1000


def benign_stream(model: Classifier, calibration: str | os.PathLike | None = None) -> torch.Tensor:
    """Benign queries (N, C, H, W) to calibrate a stateful detector on: the images of the folder
    ``calibration``, or for 28x28 grey models the 2,000 shipped held-out MNIST digits.

    Raises:
        ImageError: the folder is missing or holds no image.
        ParameterError: a colour model and no folder (the 3 sample photos are too few).
    """
    if calibration or model.channels != 1:
        if not calibration:
            raise ParameterError(
                "the similarity detector calibrates on 999 or more benign images: give a folder "
                "of them (--calibration DIR), or use --stateful-detector blacklight"
            )
        return calibration_images(model, calibration)
    digits = read_idx(resource_path("images", HELD_OUT_DIGITS))
    return torch.cat([to_tensor(preprocess(Image.fromarray(d, "L"), model.input_size, model.resize)) for d in digits])


def calibration_images(model: Classifier, calibration: str | os.PathLike | None = None) -> torch.Tensor:
    """Clean images (N, C, H, W) in [0, 1], at the model's input size, to calibrate detectors on.

    They are the images in the folder ``calibration``; by default the shipped ones of the
    model's kind: for grey models 400 held-out MNIST digits that no shipped model trained
    on, for road-sign models the 6 rendered demo signs, for other colour models the 3 sample
    photos; both too few for an fpr below 0.25 (see
    :func:`~inspector.core.defenses.detection.min_calibration_images`).

    Raises:
        ImageError: the folder is missing, holds no image, or an image is unreadable.
    """
    if calibration:
        folder = Path(calibration)
        info = stat_path(folder, ImageError)
        if info is None or not stat.S_ISDIR(info.st_mode):
            raise ImageError(f"{show_path(folder)}: no such folder of calibration images")
        files = _calibration_files(folder)
        if not files:
            raise ImageError(f"{show_path(folder)}: no images to calibrate the detectors on")
    elif model.channels == 1:
        digits = read_idx(resource_path("images", CALIBRATION_DIGITS))
        return torch.cat(
            [to_tensor(preprocess(Image.fromarray(d, "L"), model.input_size, model.resize)) for d in digits]
        )
    else:
        files = samples_for(model)
    clean = torch.empty(len(files), model.channels, *model.input_size)
    for i, f in enumerate(files):
        clean[i] = load_tensor(f, model.input_size, model.channels, model.resize)[0]
    return clean


def _calibration_files(folder: Path) -> list[Path]:
    """The image files of the folder ``folder``: the first :data:`MAX_CALIBRATION_IMAGES` by name
    (an :class:`InputWarning` says so where it holds more).

    Raises:
        ImageError: it holds more than :data:`~inspector.core.util.bounds.MAX_COUNT` images, as a data
            folder may, or it cannot be listed.
    """
    files = []
    try:
        for p in folder.iterdir():
            if p.suffix.lower() in IMAGE_SUFFIXES:
                if len(files) >= MAX_COUNT:
                    raise ImageError(
                        f"{show_path(folder)}: more than {MAX_COUNT:,} images; give a folder of "
                        f"{MAX_CALIBRATION_IMAGES:,} calibration images at most"
                    )
                files.append(p)
    except OSError as exc:
        raise ImageError(f"{show_path(folder)}: cannot list the calibration images ({exc.strerror or exc})") from None
    if len(files) > MAX_CALIBRATION_IMAGES:
        warnings.warn(
            InputWarning(
                f"{show_path(folder)}: calibrated on the first {MAX_CALIBRATION_IMAGES:,} of its "
                f"{len(files):,} images by name (enough for a false positive rate of 0.001)"
            )
        )
    return sorted(files)[:MAX_CALIBRATION_IMAGES]
