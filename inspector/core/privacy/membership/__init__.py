"""Membership inference on the shipped MNIST models: was a digit in the training set?

Attacks: the loss threshold (Yeom et al. 2018, arXiv:1709.01604), LiRA online and
offline with reference models (Carlini et al. 2022, arXiv:2112.03570) and the label-only
boundary distance through HopSkipJump (Choquette-Choo et al. 2021, arXiv:2007.14321),
each evaluated on a balanced set (random members against the 2,000 non-members) with the
ROC AUC and the TPR at 1 % FPR and their bootstrap CIs. Entry point: :func:`run_membership`.
"""

from inspector.core.privacy.membership.run import (ATTACKS, FPR, MembershipConfig, MembershipProgress,
                                                   MembershipResult, run_membership)

__all__ = ["ATTACKS", "FPR", "MembershipConfig", "MembershipProgress", "MembershipResult", "run_membership"]
