"""A physical pattern before and after the product's input-transform defences
(:mod:`inspector.core.defenses`): how a sticker, patch or universal perturbation fares when the
camera's picture is JPEG-compressed, blurred, bit-reduced... before the model reads it.

One row for no defence, one per defence alone, and one for the whole pipeline when there are
several. Each row measures, on the same held-out views (:func:`~inspector.core.physical.evaluate.evaluate_physical`,
its views, print and camera), under that defence: the pattern's success; the baseline's (a random
sticker of the same shape for a sticker or patch; for a universal perturbation, the clean images'
own misreadings); and how many clean views (no pattern) are still read as their true class, the
defence's cost. A defence applies to the photograph, once per view with its own random draw, as
it would in deployment. The pattern counts as getting through (``fooled``) when its success's
95 % interval lies wholly above the baseline's.

Whether the pattern was made against the defences (adaptive: through BPDA and EOT, Athalye,
Carlini and Wagner 2018, arXiv:1802.00420) is the job's choice
(:class:`~inspector.core.physical.job.PhysicalJob` ``adaptive``); this module only measures.
"""

from __future__ import annotations

import dataclasses

import torch

from inspector.core.defenses import DefendedClassifier, Pipeline
from inspector.core.physical.evaluate import VIEWS_PER_IMAGE, PhysicalEvaluation, evaluate_physical, random_sticker
from inspector.core.physical.result import PhysicalResult
from inspector.core.physical.views import Views

NO_DEFENCE = "no defence"


def blank(result: PhysicalResult) -> PhysicalResult:
    """No pattern at all, measured untargeted: its success is the share of views misread without it."""
    return dataclasses.replace(
        result,
        pattern=torch.zeros_like(result.pattern),
        mask=torch.zeros_like(result.mask),
        additive=False,
        placed=False,
        target=None,
    )


def defence_rows(
    model: torch.nn.Module,
    result: PhysicalResult,
    held_out: torch.Tensor,
    labels: torch.Tensor,
    pipeline: Pipeline,
    *,
    views: Views | None,
    views_per_image: int = VIEWS_PER_IMAGE,
) -> list[dict]:
    """The rows of the before/after-defences table of ``result`` on ``held_out`` (M, C, H, W) in
    [0, 1] with true ``labels`` (M,), over ``views`` (None: the digital images, as for a universal
    perturbation) with ``views_per_image`` each.

    Returns:
        one dict per row: ``defence`` (:data:`NO_DEFENCE`, a defence's spec, or ``"pipeline (all
        N)"``); ``pattern`` and ``baseline``, :meth:`PhysicalEvaluation.to_dict` of the pattern's and
        the baseline's success; ``clean``, the share of clean views read as their true class
        (``rate``, ``low``, ``high``, ``views``); ``fooled``, the pattern's interval lies above the
        baseline's.

    Raises:
        ParameterError: as :func:`~inspector.core.physical.evaluate.evaluate_physical` (a held-out
            image the pattern was made on, none at all).
    """
    steps: list[tuple[str, Pipeline]] = [(NO_DEFENCE, Pipeline())]
    steps += [(d.spec(), Pipeline([d])) for d in pipeline.defenses]
    if len(pipeline.defenses) > 1:
        steps.append((f"pipeline (all {len(pipeline.defenses)})", pipeline))
    rows = []
    for name, defences in steps:
        seen = model if not defences.defenses else DefendedClassifier(model, defences)

        def success(pattern: PhysicalResult, seen=seen) -> PhysicalEvaluation:
            return evaluate_physical(seen, pattern, held_out, labels, views=views, views_per_image=views_per_image)

        hit, misread = success(result), success(blank(result))
        baseline = misread if result.additive else success(random_sticker(result))
        clean = {
            "rate": 1 - misread.rate,
            "low": 1 - misread.ci[1],
            "high": 1 - misread.ci[0],
            "views": misread.n,
        }
        rows.append(
            {
                "defence": name,
                "pattern": hit.to_dict(),
                "baseline": baseline.to_dict(),
                "clean": clean,
                "fooled": hit.ci[0] > baseline.ci[1],
            }
        )
    return rows
