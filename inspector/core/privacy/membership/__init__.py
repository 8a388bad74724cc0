"""Membership inference on the shipped MNIST models: was a digit in the training set?

Attacks (:data:`MEMBERSHIP_ATTACKS`): the loss threshold (Yeom et al. 2018, arXiv:1709.01604),
LiRA online and offline with reference models (Carlini et al. 2022, arXiv:2112.03570) and the
label-only boundary distance through HopSkipJump (Choquette-Choo et al. 2021, arXiv:2007.14321),
each evaluated on a balanced set (random members against the 2,000 non-members) with the
ROC AUC and the TPR at 1 % FPR and their bootstrap CIs. Entry point: :func:`run_membership`.

Importing this package or the registry loads no torch (the command line lists and checks the
attacks' parameters with it); the rest loads on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from inspector.core.privacy.membership.attacks import MEMBERSHIP_ATTACKS

if TYPE_CHECKING:
    from inspector.core.privacy.membership.run import (
        FPR,
        MembershipConfig,
        MembershipProgress,
        MembershipResult,
        run_membership,
    )

#: Names loaded on first use, from :mod:`inspector.core.privacy.membership.run`.
_LAZY = ("FPR", "MembershipConfig", "MembershipProgress", "MembershipResult", "run_membership")

__all__ = ["FPR", "MEMBERSHIP_ATTACKS", "MembershipConfig", "MembershipProgress", "MembershipResult", "run_membership"]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.run"), name)
