"""A membership attack: its parameters as :func:`~inspector.core.util.params.param` fields and
its scores, and the registry of them (``inspector membership --attack``, the Privacy workspace).

Each attack is one module of :mod:`inspector.core.privacy.membership.attacks` with one
:class:`MembershipAttack` subclass decorated ``@MEMBERSHIP_ATTACKS.register``; its import in
that package's ``__init__`` is the registration line. Torch is imported inside
:meth:`MembershipAttack.scores` only, so that the command line lists and checks them without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from inspector.core.util.params import Configurable, Registry

if TYPE_CHECKING:
    import torch

    from inspector.core.privacy.membership.data import EvaluationSet
    from inspector.core.privacy.membership.reference import ReferenceModels, ReferenceProgress


@dataclass
class MembershipProgress:
    """``stage`` ("reference models", "scoring", "boundary distances", "statistics"),
    ``done`` of ``total``, and the reference models' detail when training them."""

    stage: str
    done: int
    total: int
    reference: ReferenceProgress | None = None


#: The membership attacks by name.
MEMBERSHIP_ATTACKS = Registry("membership attack")


@dataclass
class MembershipAttack(Configurable):
    """Scores each record of the evaluation set: higher, more likely a member."""

    title: ClassVar[str] = ""
    paper: ClassVar[str] = ""
    #: Whether the attack needs reference models trained with the target's recipe.
    needs_references: ClassVar[bool] = False

    def scores(
        self,
        model,
        x: torch.Tensor,
        y: torch.Tensor,
        *,
        seed: int,
        evaluation: EvaluationSet,
        references: ReferenceModels | None,
        report: Callable,
        should_stop: Callable[[], bool] | None,
        details: dict,
    ) -> torch.Tensor | None:
        """(N,) scores of x (N, 1, 28, 28) in [0, 1] with labels y (N,), the evaluation set's digits;
        None if stopped. ``report`` takes a
        :class:`~inspector.core.privacy.membership.run.MembershipProgress`; ``details`` gathers
        what the result reports beside the figures.

        Raises:
            ExportError: the reference models' cache cannot be written.
        """
        raise NotImplementedError
