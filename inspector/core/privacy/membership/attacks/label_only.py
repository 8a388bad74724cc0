"""Label-only boundary distance (Choquette-Choo et al. 2021): see
:mod:`inspector.core.privacy.membership.label_only`."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.privacy.membership.attack import MEMBERSHIP_ATTACKS, MembershipAttack, MembershipProgress
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.params import param

#: Queries per digit: HopSkipJump's default; Choquette-Choo et al. used up to 2,500 on CIFAR-10.
QUERIES = 600


@MEMBERSHIP_ATTACKS.register
@dataclass
class LabelOnly(MembershipAttack):
    name = "label-only"
    title = "label-only boundary distance (HopSkipJump)"
    paper = "Choquette-Choo et al. 2021, arXiv:2007.14321"

    queries: int = param(QUERIES, "HopSkipJump's queries per digit", minimum=1, maximum=MAX_COUNT)

    def scores(self, model, x, y, *, seed, evaluation, references, report, should_stop, details):
        from inspector.core.privacy.membership.label_only import boundary_distances

        distances = boundary_distances(
            model,
            x,
            y,
            max_queries=self.queries,
            seed=seed,
            on_progress=lambda d, t: report(MembershipProgress("boundary distances", d, t)),
            should_stop=should_stop,
        )
        if distances is not None:
            details["misclassified"] = int((distances == 0).sum())
        return distances
