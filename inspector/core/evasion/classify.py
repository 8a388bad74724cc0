"""Classifying one image: a model's probabilities and its top-k classes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from inspector.core.io.image import load_tensor
from inspector.core.models.classifier import Classifier
from inspector.core.models.loading import load_model
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import show_path
from inspector.core.util.metrics import top_k

if TYPE_CHECKING:
    from inspector.core.evasion.transfer import Resized


@dataclass
class Classification:
    """A model's prediction on one image: probabilities (K,) and the top-k list."""

    probabilities: torch.Tensor
    top_k: list[dict]

    @property
    def label(self) -> int:
        return self.top_k[0]["index"]

    def to_dict(self) -> dict:
        return {"label": self.top_k[0], "top_k": self.top_k}


def predict(model: Classifier | Resized, x: torch.Tensor, k: int = 5, *, what: str = "the image") -> Classification:
    """Classify one image tensor (1, C, H, W) in [0, 1].

    Raises:
        ModelError: the model fails on it, or its logits are NaN or infinite
            (``what`` names the image in the message).
    """
    with torch.no_grad():
        logits = model(x.to(model.device))
    return classification(model, logits, k, what)


def classification(model: Classifier | Resized, logits: torch.Tensor, k: int, what: str) -> Classification:
    """The :class:`Classification` of one image's logits (1, K).

    Raises:
        ModelError: the logits are NaN or infinite, so there are no probabilities to report.
    """
    logits = logits.detach()
    if not torch.isfinite(logits).all():
        raise ModelError(
            f"{show_path(model.name)}: the model's output on {what} is NaN or infinite, "
            "so there are no probabilities to report"
        )
    probs = logits.softmax(1)[0].cpu()
    return Classification(probs, top_k(probs, model.class_names, k))


def classify(
    image: str | os.PathLike,
    model: str | None = None,
    *,
    device: str | None = None,
    k: int = 5,
    weights: str | None = None,
    trust_code: bool = False,
) -> Classification:
    """Load ``image`` and classify it with ``model`` (default: the built-in default; ``weights`` and
    ``trust_code`` as for :func:`~inspector.core.models.loading.load_model`).

    Raises:
        ImageError, ModelError, DeviceError.
    """
    clf = load_model(model, device, weights=weights, trust_code=trust_code)
    x = load_tensor(image, clf.input_size, clf.channels, clf.resize)
    return predict(clf, x, k)
