"""The attack catalogue. Importing this package registers every attack in ATTACKS."""

from inspector.core.attacks import (  # noqa: F401  (registration)
    apgd,
    bim,
    cw,
    deepfool,
    diversity,
    fgsm,
    hopskipjump,
    jsma,
    lbfgs,
    mifgsm,
    pgd,
    square,
)
from inspector.core.attacks.base import ATTACKS, Attack, AttackResult, Step, make_attack

__all__ = ["ATTACKS", "Attack", "AttackResult", "Step", "make_attack"]
