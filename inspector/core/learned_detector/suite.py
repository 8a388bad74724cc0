"""The attacks of the generalisation table, at one Linf budget: FGSM, the one the detector is
trained on by default, and the unseen PGD, C&W, DeepFool, Square and HopSkipJump.

The budgeted attacks (FGSM, PGD, Square) use ``eps`` (default 0.3 for grey digits, 8/255 for
colour, as ``inspector harden``); the minimal-norm ones (C&W L2, DeepFool, HopSkipJump) go as
far as they need. Iteration budgets are cut so the table finishes in minutes on a CPU.
"""

from __future__ import annotations

from inspector.core.attacks.base import Attack, make_attack
from inspector.core.models.classifier import Classifier
from inspector.core.training.hardening.run import DEFAULT_EPS

#: The attack a detector trains on unless told otherwise.
DEFAULT_ATTACK = "fgsm"
#: PGD's iterations in the table (the adaptive attack's too).
PGD_STEPS = 20


def default_eps(model: Classifier) -> float:
    """The Linf budget of the table for ``model``: 0.3 for grey models, 8/255 for colour ones."""
    return DEFAULT_EPS.get(model.channels, DEFAULT_EPS[3])


def table_attacks(eps: float) -> dict[str, Attack]:
    """The attacks of the table by name, budgeted ones at Linf ``eps``."""
    return {
        "fgsm": make_attack("fgsm", {"eps": eps}),
        "pgd": make_attack("pgd", {"eps": eps, "steps": PGD_STEPS, "step_size": 2.5 * eps / PGD_STEPS}),
        "cw": make_attack("cw", {"binary_search_steps": 5, "steps": 50}),
        "deepfool": make_attack("deepfool"),
        "square": make_attack("square", {"eps": eps, "max_queries": 500}),
        "hopskipjump": make_attack("hopskipjump"),
    }
