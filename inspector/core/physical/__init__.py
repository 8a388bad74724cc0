"""Physical-world attacks: one pattern (a sticker, a universal perturbation) for many images and
many views, and their honest evaluation on held-out images. Importing this package registers every
attack in PHYSICAL_ATTACKS (without importing torch: each attack loads its algorithm when run)."""

from inspector.core.physical import patch, rp2, uap  # noqa: F401  (registration)
from inspector.core.physical.attack import PHYSICAL_ATTACKS, PhysicalAttack

__all__ = ["PHYSICAL_ATTACKS", "PhysicalAttack"]
