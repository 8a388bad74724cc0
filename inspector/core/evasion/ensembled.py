"""An inspection against an ensemble (He et al. 2017, arXiv:1706.04701): the recipe's model and the
models of ``recipe.ensemble`` read each image together, by mean probability or majority vote.

The non-adaptive attack is made on the recipe's model, one member, and transferred to the others;
the adaptive one (``recipe.adaptive``) is made on the whole ensemble (for the vote, through the mean
probabilities: see :class:`~inspector.core.defenses.ensemble.Ensemble`). Either way the report
has one row per member and one for the ensemble.
"""

from __future__ import annotations

from typing import Any

import torch

from inspector.core.defenses import Pipeline
from inspector.core.defenses.ensemble import RULES, Ensemble, check_members
from inspector.core.evasion.classify import predict
from inspector.core.evasion.defended import DefendedPrediction
from inspector.core.evasion.recipe import Recipe
from inspector.core.models.classifier import Classifier
from inspector.core.models.loading import load_model
from inspector.core.util.errors import ParameterError
from inspector.core.util.metrics import is_success


def check_ensemble(recipe: Recipe) -> None:
    """Check the recipe's ensemble fields before anything loads.

    Raises:
        ParameterError: an unknown rule, or a member named twice (the recipe's model included).
    """
    if recipe.ensemble_rule not in RULES:
        raise ParameterError(f"ensemble rule {recipe.ensemble_rule!r}: expected one of {', '.join(RULES)}")
    names = [recipe.model, *recipe.ensemble]
    twice = sorted({n for n in names if names.count(n) > 1})
    if recipe.ensemble and twice:
        raise ParameterError(f"the ensemble names {', '.join(twice)} twice (the --model is its first member)")


def ensemble_from_recipe(recipe: Recipe, model: Classifier) -> Ensemble | None:
    """The ensemble of ``model`` and the models of ``recipe.ensemble``; None without any.

    Raises:
        ModelError: a member that does not load, or of other classes or channels than ``model``.
        ParameterError: see :func:`check_ensemble`.
    """
    if not recipe.ensemble:
        return None
    check_ensemble(recipe)
    members = [model] + [load_model(name, recipe.device) for name in recipe.ensemble]
    check_members(members)
    return Ensemble(members, recipe.ensemble_rule)


def ensemble_predictions(
    ensemble: Ensemble,
    pipeline: Pipeline,
    x: torch.Tensor,
    x_adv: torch.Tensor,
    y: torch.Tensor,
    target: torch.Tensor | None,
    k: int = 5,
) -> list[DefendedPrediction]:
    """Each member's and the ensemble's predictions of x and x_adv (1, C, H, W), after the pipeline's
    defences (none: the images themselves): rows ``"member NAME"`` and ``"ensemble (RULE of M)"``."""
    specs = pipeline.specs()
    members: list[Any] = list(ensemble.members)  # classifiers, handed out by the ModuleList as Modules
    stages: list[tuple[str, Any]] = [(f"member {m.name}", m) for m in members] + [
        (f"ensemble ({ensemble.rule} of {len(members)})", ensemble)
    ]
    seen = [pipeline.apply(v.to(ensemble.device)) for v in (x, x_adv)]
    rows = []
    for name, model in stages:
        original, adversarial = (
            predict(model, v, k, what=f"the {kind} by {name}")
            for v, kind in zip(seen, ("image", "adversarial image"), strict=True)
        )
        fooled = is_success(adversarial.probabilities[None], y.cpu(), None if target is None else target.cpu())[0]
        rows.append(DefendedPrediction(name, specs, original, adversarial, bool(fooled)))
    return rows
