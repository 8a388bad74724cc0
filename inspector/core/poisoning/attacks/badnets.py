"""BadNets (Gu, Dolan-Gavitt and Garg 2017, arXiv:1708.06733): see :mod:`inspector.core.poisoning.badnets`."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.poisoning.attack import POISONING_ATTACKS, PoisoningAttack
from inspector.core.util.params import param


@POISONING_ATTACKS.register
@dataclass
class BadNets(PoisoningAttack):
    """Images drawn from those not of the target class are stamped and relabelled to the target
    (an all-to-one backdoor)."""

    name = "badnets"
    title = "BadNets: stamped images relabelled to the target"
    paper = "Gu et al. 2017, arXiv:1708.06733"
    relabels = True

    rate: float = param(0.01, "fraction of the whole training set poisoned (0.01: 1 %)", above=0, maximum=1)

    def poison(self, x, y, trigger, *, seed, proxy):
        from inspector.core.poisoning.badnets import badnets

        return badnets(x, y, trigger, self.target, self.rate, seed=seed)
