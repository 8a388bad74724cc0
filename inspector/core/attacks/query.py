"""What the query (black-box) attacks share: they reach the target only through a query oracle
the caller gives them.

The caller builds the oracle with :meth:`QueryAttack.oracle` (the attack's query budget and
what it reads of an answer, over the target's concealment) and hands it to ``run``::

    oracle = attack.oracle(model, len(x), concealment)
    attack.run(model, x, y, oracle=oracle)

Without one, ``run`` queries ``model`` directly: full probabilities, no throttle, no detector.
"""

from __future__ import annotations

from typing import ClassVar

import torch

from inspector.core.attacks.base import Attack, AttackResult, StepCallback, StopCheck
from inspector.core.concealment import Concealment
from inspector.core.concealment.oracle import QueryOracle
from inspector.core.util.errors import ParameterError


class QueryAttack(Attack):
    """Base class of the attacks that only query the model (Square, HopSkipJump).

    Class attributes:
        reads: what the attack reads of an answer: ``"probabilities"`` (scores) or ``"label"`` (top-1).
        query_parameter: the parameter holding the per-image query budget.
    """

    reads: ClassVar[str] = "probabilities"
    query_parameter: ClassVar[str] = "max_queries"

    def oracle(self, model: torch.nn.Module, n_images: int, concealment: Concealment | None = None) -> QueryOracle:
        """The oracle through which this attack queries ``model`` for ``n_images`` images, behind
        ``concealment`` (None: full probabilities, no throttle, no detector).

        Raises:
            ParameterError: a score-reading attack against a label-only output mode.
        """
        return QueryOracle(
            model,
            n_images,
            budget=getattr(self, self.query_parameter),
            output=self.reads,
            concealment=concealment,
            attacker=self.title,
        )

    def oracle_for(self, model: torch.nn.Module, x: torch.Tensor, oracle: QueryOracle | None) -> QueryOracle:
        """The caller's ``oracle`` for the images ``x`` (N, C, H, W), or a plain one on ``model``.

        Raises:
            ParameterError: an oracle made for another number of images, or one that answers
                other than this attack reads.
        """
        if oracle is None:
            return self.oracle(model, x.shape[0])
        if oracle.queries.numel() != x.shape[0] or oracle.output != self.reads:
            raise ParameterError(
                f"{self.title} needs an oracle answering {self.reads!r} for {x.shape[0]} images; "
                f"got one answering {oracle.output!r} for {oracle.queries.numel()}"
            )
        return oracle

    def run(
        self,
        model: torch.nn.Module,
        x: torch.Tensor,
        y: torch.Tensor,
        *,
        target: torch.Tensor | None = None,
        on_step: StepCallback | None = None,
        should_stop: StopCheck | None = None,
        oracle: QueryOracle | None = None,
    ) -> AttackResult:
        """:meth:`Attack.run`, querying the target through ``oracle`` (see :meth:`oracle_for`)."""
        raise NotImplementedError
