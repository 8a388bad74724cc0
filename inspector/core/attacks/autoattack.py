"""AutoAttack "standard": four diverse parameter-free attacks in turn, each on the images the ones before left robust.

Croce and Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble of diverse
parameter-free attacks", ICML, arXiv:2003.01690. The members, in the paper's order
(:data:`MEMBERS`): APGD with cross-entropy, APGD-T (targeted DLR over the 9 most likely other
classes), FAB-T (Linf, same targets) and the Square Attack with 5,000 queries. An image counts
robust only if every member fails on it; the result says which member fooled each image.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from inspector.core.attacks.apgd import APGD
from inspector.core.attacks.apgd_t import MAX_TARGETS
from inspector.core.attacks.base import Attack, budget_param, finalize, make_attack, register
from inspector.core.attacks.rounds import Rounds, check_targets
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.errors import ParameterError
from inspector.core.util.params import MAX_SEED, param


@dataclass(frozen=True)
class Member:
    """One attack of the ensemble: its ``label`` in results, the registered ``attack`` and its
    parameters as a function of the ensemble's (``eps`` and ``norm`` are added to them)."""

    label: str
    attack: str
    params: Callable[[AutoAttack], dict]


#: AutoAttack "standard" (Linf), in the paper's order. Square's p_init 0.8 is AutoAttack's.
MEMBERS = (
    Member("apgd-ce", "apgd", lambda a: {"steps": a.steps, "loss": "ce", "seed": a.seed}),
    Member("apgd-t", "apgd-t", lambda a: {"steps": a.steps, "targets": a.targets, "seed": a.seed}),
    Member("fab-t", "fab-t", lambda a: {"steps": a.steps, "targets": a.targets}),
    Member("square", "square", lambda a: {"max_queries": a.queries, "p_init": 0.8, "seed": a.seed}),
)


@register
@dataclass
class AutoAttack(Attack):
    """AutoAttack "standard", Linf (Croce and Hein 2020, arXiv:2003.01690).

    Shapes: x (N, C, H, W) in [0, 1] on the 8-bit grid, y (N,); untargeted (a ``target`` is
    refused). Each member of :data:`MEMBERS` runs, in turn, only on the images still classified
    correctly; the Steps of all of them are reported as one run (``total``: the members' planned
    iterations together). Returns, per image, the adversarial of the member that fooled it
    (``AttackResult.broken_by`` names it), else Square's last attempt. ``gradient_evaluations``
    adds up the white-box members', ``queries`` and ``query_counts`` are Square's.

    Raises:
        ParameterError: a ``target``; ``targets`` not below the model's number of classes.
    """

    name = "autoattack"
    title = "AutoAttack"
    paper = APGD.paper
    budget_parameter = "eps"
    iteration_parameters = ("steps",)

    eps: float = budget_param(4 / 255)
    norm: str = param("linf", "distance: linf only here (FAB-T is Linf)", choices=("linf",))
    steps: int = param(
        100, "iterations of APGD-CE, and per target class of APGD-T and FAB-T (paper: 100)", minimum=1, maximum=100000
    )
    targets: int = param(9, "target classes of APGD-T and FAB-T (paper: 9)", minimum=1, maximum=MAX_TARGETS)
    queries: int = param(5000, "Square Attack's queries per image (paper: 5000)", minimum=1, maximum=MAX_COUNT)
    seed: int = param(0, "seed of APGD's random starts and Square's search", minimum=0, maximum=MAX_SEED)

    def members(self) -> list[tuple[str, Attack]]:
        """(label, attack) of each member, in order, built with this ensemble's budget."""
        return [
            (m.label, make_attack(m.attack, m.params(self) | {"eps": self.eps, "norm": self.norm})) for m in MEMBERS
        ]

    def check_model(self, model):
        """:meth:`Attack.check_model`, and ``targets`` below the model's classes (:func:`check_targets`)."""
        super().check_model(model)
        check_targets(self, model)

    def planned_cost(self, shape):
        costs = [attack.planned_cost(shape) for _, attack in self.members()]
        return sum(g for g, _ in costs), sum(q for _, q in costs)

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None):
        if target is not None:
            raise ParameterError("AutoAttack is untargeted: run it without a target class")
        x = x.detach()
        members = self.members()
        total = self.steps + 2 * self.targets * self.steps + self.queries - 1
        rounds = Rounds(model, x, y, total, on_step)
        broken_by = [""] * len(y)
        gradients, cancelled = 0, False
        query_counts = torch.zeros(len(y), dtype=torch.long)
        for label, attack in members:
            rows = rounds.pending()
            if rows.numel() == 0:
                break
            result = attack.run(model, x[rows], y[rows], on_step=rounds.reporter(rows), should_stop=should_stop)
            gradients += result.gradient_evaluations
            if result.query_counts is not None:
                query_counts[rows.cpu()] = result.query_counts.cpu()
            for i in rounds.absorb(rows, result).nonzero().squeeze(1).tolist():
                broken_by[i] = label
            if result.cancelled:
                cancelled = True
                break
        return finalize(
            model,
            x,
            rounds.x_adv,
            y,
            None,
            linf_bound=self.eps,
            iterations=rounds.iterations,
            gradient_evaluations=gradients,
            queries=int(query_counts.max()) if len(y) else 0,
            query_counts=query_counts,
            loss="ensemble",
            cancelled=cancelled,
            broken_by=broken_by,
        )
