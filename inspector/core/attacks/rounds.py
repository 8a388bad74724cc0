"""Attacks made of rounds, each run only on the images no earlier round has fooled.

APGD-T and FAB-T run one round per target class, AutoAttack one per member attack (Croce and
Hein 2020, arXiv:2003.01690). A round works on a subset of the batch; :class:`Rounds` keeps the
whole batch's state and turns the round's :class:`~inspector.core.attacks.base.Step` reports on
its subset into reports on the whole batch, numbered across rounds, so that a caller watches
(and cancels) one attack.
"""

from __future__ import annotations

import torch

from inspector.core.attacks.base import Attack, AttackResult, Step, StepCallback
from inspector.core.attacks.losses import margin
from inspector.core.util.errors import ParameterError
from inspector.core.util.metrics import is_success


def check_targets(attack: Attack, model: torch.nn.Module) -> None:
    """Refuse, before any work, an ``attack.targets`` not below ``model``'s number of classes.

    Raises:
        ParameterError: naming the attack, the count and the model's classes.
    """
    classes = getattr(model, "num_classes", None)
    if classes is not None and attack.targets >= classes:  # type: ignore[attr-defined]
        raise ParameterError(
            f"attack {attack.name!r} parameter 'targets': {attack.targets} target classes "  # type: ignore[attr-defined]
            f"need a model with more classes than that, not {classes}"
        )


class Rounds:
    """The whole batch's state while rounds run on its images not yet fooled.

    Shapes: x (N, C, H, W) in [0, 1] on the 8-bit grid, y (N,). ``x_adv`` starts as ``x`` and
    holds, per image, the adversarial of the round that fooled it; ``probabilities`` (N, K) are
    the model's on ``x_adv``, ``loss`` (N,) the last objective reported for each image (the logit
    margin at the start), ``fooled`` (N,) bool. ``total`` is the planned number of iterations of
    all the rounds together (the ``Step.total`` reported); ``iterations`` counts those of the rounds absorbed.
    """

    def __init__(
        self, model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, total: int, on_step: StepCallback | None
    ):
        with torch.no_grad():
            logits = model(x)
        self.clean_logits = logits
        self.x_adv, self.y = x.clone(), y
        self.probabilities = logits.softmax(1)
        self.loss = margin(logits, y)
        self.fooled = is_success(logits, y)
        self.total, self.on_step, self.iterations = total, on_step, 0

    def pending(self) -> torch.Tensor:
        """The (M,) indices of the images not yet fooled."""
        return (~self.fooled).nonzero().squeeze(1)

    def reporter(self, rows: torch.Tensor) -> StepCallback | None:
        """The ``on_step`` to give a round that runs on the images ``rows`` (M,): each of its Steps
        (numbered 1, 2, ... within the round) is reported as the next Step of the whole batch, the
        other images as they stand. None when nobody watches, so that the round builds no Steps."""
        if self.on_step is None:
            return None
        on_step = self.on_step

        def report(step: Step) -> None:
            self.loss[rows] = step.loss
            success = self.fooled.index_copy(0, rows, step.probabilities.argmax(1) != self.y[rows])
            on_step(
                Step(
                    self.iterations + step.iteration,
                    self.total,
                    self.loss.clone(),
                    self.probabilities.index_copy(0, rows, step.probabilities),
                    self.x_adv.index_copy(0, rows, step.x_adv),
                    success,
                )
            )

        return report

    def absorb(self, rows: torch.Tensor, result: AttackResult) -> torch.Tensor:
        """Take a round's result on the images ``rows`` (M,) as their current state (the adversarial, or
        the round's best attempt) and count its iterations; returns the (N,) bool mask of the images it
        fooled (judged untargeted)."""
        self.iterations += result.iterations
        hit = result.logits.argmax(1) != self.y[rows]
        self.x_adv[rows] = result.x_adv
        self.probabilities[rows] = result.logits.softmax(1)
        newly = torch.zeros_like(self.fooled)
        newly[rows[hit]] = True
        self.fooled |= newly
        return newly

    def target_classes(self, count: int) -> torch.Tensor:
        """(N, count) the ``count`` classes the clean image finds most likely after its own label ``y``,
        most likely first (APGD-T and FAB-T's targets).

        Raises:
            ParameterError: ``count`` is not below the number of classes.
        """
        classes = self.clean_logits.shape[1]
        if count >= classes:
            raise ParameterError(f"{count} target classes need a model with more than {count} classes, not {classes}")
        others = self.clean_logits.scatter(1, self.y[:, None], float("-inf"))
        return others.argsort(dim=1, descending=True)[:, :count]
