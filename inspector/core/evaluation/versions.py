"""The versions an evaluation ran with: the product, Python, torch and the model's file."""

from __future__ import annotations

import hashlib
import platform
from pathlib import Path

import torch

from inspector import __version__
from inspector.core.io.resources import resource_path
from inspector.core.models.classifier import Classifier


def versions(config, model: Classifier) -> dict:
    """``{"inspector", "python", "torch", "model", "model_sha256"}``; the hash is of the model's file
    (the weights file, a model file, or a shipped model's safetensors) or None for a packaged model."""
    return {
        "inspector": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "model": model.name,
        "model_sha256": _model_hash(config),
    }


def _model_hash(config) -> str | None:
    for candidate in (config.weights, config.model, resource_path("models", f"{config.model}.safetensors")):
        if candidate and Path(candidate).is_file():
            digest = hashlib.sha256()
            with open(candidate, "rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(chunk)
            return digest.hexdigest()
    return None
