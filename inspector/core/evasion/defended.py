"""An inspection under defences: the recipe's defence pipeline and detectors, the predictions of the
original and the adversarial under each defence, and the detectors' reports."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from inspector.core.defenses import Detector, Pipeline, defense_from_spec, detector_from_spec
from inspector.core.evasion.calibration import calibration_images
from inspector.core.evasion.classify import Classification, predict
from inspector.core.evasion.recipe import Recipe
from inspector.core.models.classifier import Classifier
from inspector.core.util.errors import ModelError, ParameterError
from inspector.core.util.metrics import is_success


@dataclass
class DefendedPrediction:
    """Predictions of the original and the adversarial under one defence (or none, or the whole pipeline).

    Attributes:
        defense: the defence spec, ``"none"`` or ``"pipeline"``.
        specs: the defence specs applied, in order.
        original, adversarial: the predictions after the defence.
        success: the adversarial fools the defended model (untargeted: top-1 is not the
            original's label; targeted: top-1 is the target).
    """

    defense: str
    specs: list[str]
    original: Classification
    adversarial: Classification
    success: bool

    def to_dict(self) -> dict:
        return {
            "defense": self.defense,
            "specs": self.specs,
            "original": self.original.to_dict(),
            "adversarial": self.adversarial.to_dict(),
            "success": self.success,
        }


def defenses_from_recipe(recipe: Recipe) -> tuple[Pipeline, list[Detector]]:
    """Build the recipe's defence pipeline and detectors, checking every spec.

    Raises:
        ParameterError: a bad spec, or ``adaptive`` with nothing to adapt to (no defence, ensemble or
            differentiable detector).
    """
    pipeline = Pipeline([defense_from_spec(s) for s in recipe.defenses])
    detectors = [detector_from_spec(s) for s in recipe.detectors]
    seen = pipeline.defenses or recipe.ensemble or any(d.differentiable for d in detectors)
    if recipe.adaptive and not seen:
        raise ParameterError(
            "an adaptive attack needs a defence (e.g. --defense jpeg:quality=75), an ensemble (--ensemble) "
            "or a detector it can see (--detect realism)"
        )
    if not 1 <= int(recipe.eot_samples) <= 1000:
        raise ParameterError(f"eot_samples must be between 1 and 1000, not {recipe.eot_samples}")
    return pipeline, detectors


def defended_predictions(
    model: Classifier,
    pipeline: Pipeline,
    x: torch.Tensor,
    x_adv: torch.Tensor,
    y: torch.Tensor,
    target: torch.Tensor | None,
    k: int = 5,
) -> list[DefendedPrediction]:
    """Predictions of x and x_adv (1, C, H, W) under no defence, each defence alone, and the whole pipeline.

    Randomised defences use their own seed, so the figures are reproducible.
    """
    stages = [("none", Pipeline([]))] + [(d.spec(), Pipeline([d])) for d in pipeline.defenses]
    if len(pipeline.defenses) > 1:
        stages.append(("pipeline", pipeline))
    out = []
    for name, stage in stages:
        original, adversarial = (
            predict(model, stage.apply(v.to(model.device)), k, what=f"the {kind} after {name}")
            for v, kind in ((x, "image"), (x_adv, "adversarial image"))
        )
        success = bool(
            is_success(adversarial.probabilities[None], y.cpu(), None if target is None else target.cpu())[0]
        )
        out.append(DefendedPrediction(name, stage.specs(), original, adversarial, success))
    return out


def detect(
    model: Classifier,
    detectors: list[Detector],
    x: torch.Tensor,
    x_adv: torch.Tensor,
    calibration: str | os.PathLike | None = None,
) -> list[dict]:
    """Score x and x_adv with each detector, against a threshold calibrated on clean images.

    The clean images are those of :func:`calibration_images`; the report gives their number
    (``calibration_images``). A detector that does not apply to the model (dropout
    uncertainty on a model without dropout), or whose ``fpr`` these images are too few to
    calibrate, is reported with ``available: false`` and the reason.

    Raises:
        ImageError: the calibration folder is missing or holds no image.
    """
    clean = calibration_images(model, calibration).to(model.device)
    reports = []
    for detector in detectors:
        report = {
            "detector": detector.spec(),
            "title": detector.title,
            "paper": detector.paper,
            "calibration_images": len(clean),
        }
        try:
            threshold = detector.calibrate(model, clean)
            scores = detector.score(model, torch.cat([x, x_adv]).to(model.device)).tolist()
        except (ModelError, ParameterError) as exc:
            reports.append(report | {"available": False, "reason": str(exc)})
            continue
        reports.append(
            report
            | {
                "available": True,
                "threshold": threshold,
                "fpr": detector.fpr,
                "original": {"score": scores[0], "flagged": scores[0] > threshold},
                "adversarial": {"score": scores[1], "flagged": scores[1] > threshold},
            }
        )
    return reports
