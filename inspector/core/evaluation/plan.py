"""The attack runs of an evaluation: one :class:`Unit` per attack, budget and variant.

Main units run on every image; the sanity variants (Carlini et al. 2019, arXiv:1902.06705)
on the first ``sanity_images`` only: an unbounded budget, 2x and 5x the steps, and the
other loss (logit margin for cross-entropy) for iterative attacks, each at the largest budget.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from inspector.core.attacks import ATTACKS, Attack
from inspector.core.evaluation.config import MORE_STEPS, EvaluationConfig, budgets, build_attack

#: The other loss tried by the sanity check, for each attack loss.
OTHER_LOSS = {"ce": ("margin", "dlr"), "margin": ("ce",), "dlr": ("ce",)}


@dataclass(frozen=True)
class Unit:
    """One attack run over a batch: ``attack`` at ``eps`` (None: minimal norm) as ``variant``.

    ``limit``: only images with a data-set index below it (the sanity subset); None: all.
    """

    attack: str
    eps: float | None
    variant: str = "main"
    overrides: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    limit: int | None = None

    def build(self, config: EvaluationConfig) -> Attack:
        return build_attack(config, self.attack, self.eps, **self.overrides)


def unbounded_eps(config: EvaluationConfig, pixels: int) -> float:
    """A budget that spans every image: 1 for Linf, sqrt(C*H*W) for L2."""
    return 1.0 if config.norm == "linf" else math.sqrt(pixels)


def make_plan(config: EvaluationConfig, pixels: int) -> list[Unit]:
    """Every unit, main ones first. ``pixels`` is C*H*W of the model's input.

    Budgeted attacks skip eps 0 (there the robust accuracy is the clean one).
    """
    eps_list = [e for e in budgets(config) if e > 0]
    units = []
    for name in config.attacks:
        if ATTACKS[name].minimal:
            units.append(Unit(name, None))
        else:
            units += [Unit(name, eps) for eps in eps_list]
    if config.sanity and eps_list:
        units += _sanity_units(config, eps_list[-1], pixels)
    return units


def _sanity_units(config: EvaluationConfig, eps: float, pixels: int) -> list[Unit]:
    units, limit = [], config.sanity_images
    budgeted = [n for n in config.attacks if not ATTACKS[n].minimal]
    if budgeted:
        units.append(Unit(budgeted[0], unbounded_eps(config, pixels), "unbounded", limit=limit))
    for name in budgeted:
        attack = build_attack(config, name, eps)
        iterations = ATTACKS[name].iteration_parameters
        if iterations:
            fixed = {"step_size": attack.step_size} if hasattr(attack, "step_size") else {}
            units += [
                Unit(name, eps, f"steps x{k}", {p: getattr(attack, p) * k for p in iterations} | fixed, limit)
                for k in MORE_STEPS
            ]
        # a single step's loss choice says nothing of masking
        choices = (
            next(s.choices for s in ATTACKS[name].params() if s.name == "loss")
            if hasattr(attack, "loss") and iterations
            else ()
        )
        other = next((loss for loss in OTHER_LOSS.get(getattr(attack, "loss", ""), ()) if loss in choices), None)
        if other:
            units.append(Unit(name, eps, f"loss {other}", {"loss": other}, limit))
    return units
