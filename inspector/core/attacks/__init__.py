"""The attack catalogue. Importing this package registers every attack in ATTACKS."""

from inspector.core.attacks import apgd, bim, cw, deepfool, fgsm, hopskipjump, mifgsm, pgd, square  # noqa: F401  (registration)
from inspector.core.attacks.base import ATTACKS, Attack, AttackResult, Step, make_attack

__all__ = ["ATTACKS", "Attack", "AttackResult", "Step", "make_attack"]
