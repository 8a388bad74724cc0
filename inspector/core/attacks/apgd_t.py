"""APGD-T: APGD with the targeted DLR loss, one round per likely other class.

Croce and Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble of diverse
parameter-free attacks", ICML, arXiv:2003.01690, section 4 and AutoAttack's second member.

For k = 1 .. ``targets``, APGD (:mod:`inspector.core.attacks.apgd`) maximises the targeted DLR
loss -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2) toward t, the k-th most likely class of the
clean image after its label, on the images no earlier round has fooled. Any misclassification
counts: the target only steers the search, so the attack is untargeted in its goal.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.attacks.apgd import APGD
from inspector.core.attacks.base import Attack, budget_param, finalize, register
from inspector.core.attacks.norms import NORMS
from inspector.core.attacks.rounds import Rounds, check_targets
from inspector.core.util.params import MAX_SEED, param

#: The most target classes a run may take (a model has at least one class more).
MAX_TARGETS = 1000


def round_seed(seed: int, k: int) -> int:
    """The seed of round ``k`` (0-based) of an attack seeded ``seed``: distinct per round, within MAX_SEED."""
    return (seed + k) % (MAX_SEED + 1)


@register
@dataclass
class APGDT(Attack):
    """APGD-T, untargeted by targeted DLR over the most likely other classes (Croce and Hein 2020, arXiv:2003.01690).

    Shapes: x (N, C, H, W) in [0, 1] on the 8-bit grid, y (N,). Up to ``targets`` rounds of
    ``steps`` APGD iterations (one input gradient each, plus one per round); a round runs only on
    the images still classified correctly and ends early when all of them are fooled. With a
    ``target`` (N,) it is plain APGD with the targeted DLR loss toward it. Returns, per image,
    the adversarial of the round that fooled it, else the last round's point of highest loss.

    Raises:
        ParameterError: ``targets`` not below the model's number of classes (DLR needs at least 4).
    """

    name = "apgd-t"
    title = "APGD-T"
    paper = APGD.paper
    budget_parameter = "eps"
    iteration_parameters = ("steps",)

    eps: float = budget_param(4 / 255)
    steps: int = param(100, "iterations per target class (paper: 100)", minimum=1, maximum=100000)
    norm: str = param("linf", "distance: linf or l2", choices=NORMS)
    targets: int = param(
        9, "most likely other classes tried as targets, in turn (paper: 9)", minimum=1, maximum=MAX_TARGETS
    )
    rho: float = param(0.75, "fraction of loss increases below which the step size is halved", minimum=0.0, maximum=1.0)
    momentum: float = param(0.75, "weight alpha of the new step against the previous one", minimum=0.0, maximum=1.0)
    seed: int = param(0, "seed of the random starts (round k uses seed + k)", minimum=0, maximum=MAX_SEED)

    def check_model(self, model):
        """:meth:`Attack.check_model`, and ``targets`` below the model's classes (:func:`check_targets`)."""
        super().check_model(model)
        check_targets(self, model)

    def planned_cost(self, shape):
        return self.targets * (self.steps + 1), 0

    def apgd(self, k: int) -> APGD:
        """The DLR APGD of round ``k`` (0-based)."""
        return APGD(
            eps=self.eps,
            steps=self.steps,
            norm=self.norm,
            loss="dlr",
            rho=self.rho,
            momentum=self.momentum,
            seed=round_seed(self.seed, k),
        )

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None):
        if target is not None:
            return self.apgd(0).run(model, x, y, target=target, on_step=on_step, should_stop=should_stop)
        x = x.detach()
        rounds = Rounds(model, x, y, self.targets * self.steps, on_step)
        pulls = rounds.target_classes(self.targets)
        gradients, cancelled = 0, False
        for k in range(self.targets):
            rows = rounds.pending()
            if rows.numel() == 0:
                break
            result = self.apgd(k).run_toward(
                model, x[rows], y[rows], pulls[rows, k], None, on_step=rounds.reporter(rows), should_stop=should_stop
            )
            gradients += result.gradient_evaluations
            rounds.absorb(rows, result)
            if result.cancelled:
                cancelled = True
                break
        return finalize(
            model,
            x,
            rounds.x_adv,
            y,
            None,
            linf_bound=self.linf_bound(),
            iterations=rounds.iterations,
            gradient_evaluations=gradients,
            loss="dlr-targeted",
            cancelled=cancelled,
        )
