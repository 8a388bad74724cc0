"""The poisoning attacks, one module each; importing one registers it in
:data:`~inspector.core.poisoning.attack.POISONING_ATTACKS` (one line per attack here)."""

# ruff: noqa: I001 - the import order is the registration order (listings, default choices)
from inspector.core.poisoning.attack import POISONING_ATTACKS
from inspector.core.poisoning.attacks import badnets  # noqa: F401 - each import registers one
from inspector.core.poisoning.attacks import clean_label  # noqa: F401

__all__ = ["POISONING_ATTACKS"]
