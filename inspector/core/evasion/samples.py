"""The shipped sample images that suit a model: road signs for road-sign models, digits for grey
models, photos for the others (the gallery, the calibration set of the detectors)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from inspector.core.io.resources import resource_path, sample_images
from inspector.core.io.sign_render import SIGNS
from inspector.core.models.zoo.gtsrb_cnn import CLASS_NAMES as ROAD_SIGN_CLASSES

#: The rendered demo signs (see :mod:`inspector.core.io.sign_render`), in ``resources/images``.
ROAD_SIGN_FOLDER = "road-signs"


def road_sign_images() -> list[Path]:
    """The rendered demo road signs, the stop sign first (the product's case study)."""
    return [resource_path("images", ROAD_SIGN_FOLDER, f"{name}.png") for name in SIGNS]


def is_road_sign_model(class_names: Sequence[str]) -> bool:
    """Whether a model with these output classes classifies GTSRB's 43 road signs."""
    return tuple(class_names) == ROAD_SIGN_CLASSES


def samples_for(class_names: Sequence[str], channels: int) -> list[Path]:
    """The sample images to show and calibrate a model on, given its class names and input channels
    (1 or 3): the demo road signs for a road-sign model, else the shipped images with its channels."""
    return road_sign_images() if is_road_sign_model(class_names) else sample_images(channels)


def is_shipped_sample(path: str | Path) -> bool:
    """Whether ``path`` is one of the sample images the product ships (photos, digits, road signs)."""
    shipped = {p.resolve() for p in [*sample_images(), *road_sign_images()]}
    return Path(path).resolve() in shipped
