"""The membership attacks, one module each; importing one registers it in
:data:`~inspector.core.privacy.membership.attack.MEMBERSHIP_ATTACKS` (one line per attack here)."""

# ruff: noqa: I001 - the import order is the registration order (listings, default choices)
from inspector.core.privacy.membership.attack import MEMBERSHIP_ATTACKS
from inspector.core.privacy.membership.attacks import loss  # noqa: F401 - each import registers one
from inspector.core.privacy.membership.attacks import lira  # noqa: F401
from inspector.core.privacy.membership.attacks import label_only  # noqa: F401

__all__ = ["MEMBERSHIP_ATTACKS"]
