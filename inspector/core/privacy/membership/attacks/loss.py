"""The loss threshold attack (Yeom et al. 2018): see :mod:`inspector.core.privacy.membership.loss_attack`."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.privacy.membership.attack import MEMBERSHIP_ATTACKS, MembershipAttack, MembershipProgress


@MEMBERSHIP_ATTACKS.register
@dataclass
class Loss(MembershipAttack):
    name = "loss"
    title = "loss threshold"
    paper = "Yeom et al. 2018, arXiv:1709.01604"

    def scores(self, model, x, y, *, seed, evaluation, references, report, should_stop, details):
        from inspector.core.privacy.membership.loss_attack import loss_scores

        report(MembershipProgress("scoring", 0, 1))
        return loss_scores(model, x, y)
