"""Explaining an image and, beside it, an adversarial of it: what the model looked at before and after.

The original is explained towards a given class (its true class) or else its top-1; the adversarial
towards its own top-1, the class it is read as; :mod:`.compare` says how far the map moved, and
:mod:`.sanity` whether the method's maps depend on the model at all.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import torch

from inspector.core.evasion.classify import Classification, predict
from inspector.core.explain.compare import mass_moved, rank_correlation
from inspector.core.explain.heatmap import heat_map
from inspector.core.explain.method import Attribution, ExplanationMethod
from inspector.core.explain.sanity import SanityCheck, sanity_check
from inspector.core.io.files import check_files, write_atomically, write_files
from inspector.core.io.image import save_image
from inspector.core.models.classifier import Classifier

#: What :meth:`Explanation.save` writes; the adversarial's map only where there is one.
SAVED_FILES = ("original-map.png", "adversarial-map.png", "explanation.json")


@dataclass
class Explained:
    """One image with its prediction and its map.

    Attributes:
        x: (1, C, H, W) the image in [0, 1], the model's input size.
        prediction: the model's classification of ``x``.
        attribution: the map (H, W) of the explained class's logit.
    """

    x: torch.Tensor
    prediction: Classification
    attribution: Attribution

    def to_dict(self, model: Classifier) -> dict:
        a = self.attribution
        entry = {
            "label": self.prediction.top_k[0],
            "explained_class": {"index": a.target, "name": model.class_names[a.target]},
            "map_abs_sum": float(a.map.abs().sum()),
        }
        if a.delta is not None:
            entry["completeness_delta"] = a.delta
        return entry


@dataclass
class Explanation:
    """What :func:`explain` made: the original's map and, given an adversarial, its map and how far
    the map moved (:func:`~inspector.core.explain.compare.rank_correlation`, in [-1, 1], and
    :func:`~inspector.core.explain.compare.mass_moved`, in [0, 1]); and the method's
    :func:`~inspector.core.explain.sanity.sanity_check` on the model."""

    model: Classifier
    method: ExplanationMethod
    original: Explained
    sanity: SanityCheck
    adversarial: Explained | None = None

    def to_dict(self) -> dict:
        summary: dict = {
            "model": self.model.name,
            "method": self.method.spec(),
            "paper": self.method.paper,
            "original": self.original.to_dict(self.model),
            "sanity_check": self.sanity.to_dict(),
        }
        if self.adversarial is not None:
            before, after = self.original.attribution.map, self.adversarial.attribution.map
            summary["adversarial"] = self.adversarial.to_dict(self.model)
            summary["rank_correlation"] = rank_correlation(before, after)
            summary["mass_moved"] = mass_moved(before, after)
        return summary

    def save(self, out_dir: str | os.PathLike) -> dict[str, Path]:
        """Write original-map.png, adversarial-map.png (given an adversarial) and explanation.json
        to ``out_dir``, all or none (see :func:`inspector.core.io.files.write_files`). Returns the paths.

        Raises:
            ExportError: the folder cannot be created or written, or a target is a folder.
        """
        summary = json.dumps(self.to_dict(), indent=2).encode("utf-8")
        shown = [("original-map.png", self.original)]
        if self.adversarial is not None:
            shown.append(("adversarial-map.png", self.adversarial))
        writers = {name: lambda path, e=e: save_image(heat_map(e.x, e.attribution.map), path) for name, e in shown} | {
            "explanation.json": lambda path: write_atomically(path, lambda fh: fh.write(summary))
        }
        return write_files(out_dir, writers)


def check_out_dir(out_dir: str | os.PathLike) -> None:
    """Before the work: :meth:`Explanation.save` would not be refused for what is in ``out_dir``.

    Raises:
        ExportError: see :func:`inspector.core.io.files.check_files`.
    """
    check_files(out_dir, SAVED_FILES)


def explain(
    model: Classifier,
    method: ExplanationMethod,
    x: torch.Tensor,
    *,
    target: int | None = None,
    x_adv: torch.Tensor | None = None,
) -> Explanation:
    """Explain ``x`` (1, C, H, W) in [0, 1] towards ``target`` (None: its top-1) and, given
    ``x_adv`` (the same shape), the adversarial towards its own top-1; run the method's sanity
    check on the model (once per model and method: see :func:`~inspector.core.explain.sanity.sanity_check`).

    Raises:
        ParameterError: ``target`` is no class of the model, or a layer the method is given is not one.
        ModelError: the model fails, or lacks a layer the method needs or the sanity check re-initialises.
    """
    original = _explained(model, method, x, target, "the image")
    adversarial = None if x_adv is None else _explained(model, method, x_adv, None, "the adversarial")
    checked = sanity_check(model, method, x, original.attribution.target)
    return Explanation(model, method, original, checked, adversarial)


def _explained(
    model: Classifier, method: ExplanationMethod, x: torch.Tensor, target: int | None, what: str
) -> Explained:
    prediction = predict(model, x, k=5, what=what)
    return Explained(x, prediction, method.attribute(model, x, prediction.label if target is None else target))


def explain_files(
    image: str | os.PathLike,
    model: str | None,
    method: str,
    params: dict | None = None,
    *,
    target: str | None = None,
    adversarial: str | os.PathLike | None = None,
    device: str | None = None,
    weights: str | None = None,
    trust_code: bool = False,
) -> Explanation:
    """Load ``model`` (as :func:`~inspector.core.models.loading.load_model` does), ``image`` and, if
    given, ``adversarial`` (an image file such as ``inspector attack`` saves; both brought to the
    model's input size), build the method ``method`` from ``params`` and :func:`explain` them,
    the original towards ``target`` (a class index or name; None: its top-1).

    Raises:
        ParameterError: no such method, or a bad parameter.
        ClassNameError: ``target`` is no class of the model.
        ImageError, ModelError, DeviceError: see :func:`~inspector.core.io.image.load_tensor` and
            :func:`~inspector.core.models.loading.load_model`.
    """
    from inspector.core.explain import EXPLANATION_METHODS
    from inspector.core.io.image import load_tensor
    from inspector.core.models.labels import resolve_class
    from inspector.core.models.loading import load_model

    explainer = EXPLANATION_METHODS.make(method, params)
    clf = load_model(model, device, weights=weights, trust_code=trust_code)
    index = None if target is None else resolve_class(target, clf.class_names)
    size = (clf.input_size, clf.channels, clf.resize)
    x = load_tensor(image, *size).to(clf.device)
    x_adv = None if adversarial is None else load_tensor(adversarial, *size).to(clf.device)
    return explain(clf, explainer, x, target=index, x_adv=x_adv)
