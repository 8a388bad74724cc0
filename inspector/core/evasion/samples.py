"""The shipped sample images that suit a model: road signs for road-sign models, digits for grey
models, photos for the others (the gallery, the calibration set of the detectors)."""

from __future__ import annotations

from pathlib import Path

from inspector.core.io.resources import resource_path, sample_images
from inspector.core.models.classifier import Classifier
from inspector.core.models.zoo.gtsrb_cnn import CLASS_NAMES as ROAD_SIGN_CLASSES

#: The rendered demo signs (see :mod:`inspector.core.io.sign_render`), in ``resources/images``.
ROAD_SIGN_FOLDER = "road-signs"


def road_sign_images() -> list[Path]:
    """The rendered demo road signs, sorted by file name."""
    return sorted(resource_path("images", ROAD_SIGN_FOLDER).glob("*.png"))


def is_road_sign_model(model: Classifier) -> bool:
    """Whether ``model`` classifies GTSRB's 43 road-sign classes (by its class names)."""
    return tuple(model.class_names) == ROAD_SIGN_CLASSES


def samples_for(model: Classifier) -> list[Path]:
    """The sample images to show and calibrate ``model`` on: the demo road signs for a road-sign
    model, else the shipped images with its number of channels."""
    return road_sign_images() if is_road_sign_model(model) else sample_images(model.channels)
