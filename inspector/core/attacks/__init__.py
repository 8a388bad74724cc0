"""The attack catalogue. Importing this package registers every attack in ATTACKS."""

from inspector.core.attacks import (  # noqa: F401  (registration)
    apgd,
    apgd_t,
    autoattack,
    bim,
    cw,
    deepfool,
    diversity,
    fab,
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
