"""The query oracle: the only way a black-box attack reaches the model.

A :class:`QueryOracle` wraps a classifier for a batch of N images. Every image
sent through it is charged to the original image it belongs to; a per-image
query budget is enforced; and the oracle can conceal the scores and return the
top-1 label only (the label-only / "target concealment" threat model of
HopSkipJump, Chen et al. 2020, arXiv:1904.02144).

Black-box attacks plan their queries with :meth:`QueryOracle.remaining` and stop
gracefully at the budget; a query beyond it raises :class:`QueryBudgetError`.
The attack's final 8-bit evaluation (``attacks.base.finalize``) is a check of
the result, not a query, and is not charged.
"""

from __future__ import annotations

import torch

from inspector.core.errors import InspectorError, ParameterError

OUTPUTS = ("probabilities", "label")


class QueryBudgetError(InspectorError):
    """A black-box attack asked for more queries than its budget allows."""


class QueryOracle:
    """Counts and limits the queries a black-box attack makes, per image.

    Args:
        model: the classifier, (M, C, H, W) in [0, 1] -> logits (M, K).
        n_images: N, the number of original images being attacked.
        budget: the most queries allowed per image, or None for no limit.
        output: ``"probabilities"`` (softmax scores, (M, K)) or ``"label"``
            (top-1 class only, (M,) long).

    Attributes:
        queries: (N,) long, queries charged to each image so far.

    Raises:
        ParameterError: unknown ``output`` or a budget below 1.
    """

    def __init__(self, model: torch.nn.Module, n_images: int, *, budget: int | None = None,
                 output: str = "probabilities"):
        if output not in OUTPUTS:
            raise ParameterError(f"oracle output {output!r} is not one of {', '.join(OUTPUTS)}")
        if budget is not None and budget < 1:
            raise ParameterError(f"query budget {budget} must be at least 1")
        self._model = model
        self.budget = budget
        self.output = output
        self.queries = torch.zeros(n_images, dtype=torch.long)

    def remaining(self, index: torch.Tensor | None = None) -> torch.Tensor:
        """Queries left per image, (N,) or (len(index),) long; a large number without a budget."""
        left = (self.budget - self.queries) if self.budget is not None else torch.full_like(self.queries, 2**62)
        return left if index is None else left[index.cpu()]

    def __call__(self, x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
        """Query the model on ``x`` (M, C, H, W) in [0, 1]; row m is charged to image ``index[m]``.

        Returns:
            (M, K) probabilities, or (M,) top-1 labels when ``output == "label"``.

        Raises:
            QueryBudgetError: some image would go over its budget; nothing is charged.
        """
        index = index.cpu()
        counts = torch.bincount(index, minlength=self.queries.numel())
        if self.budget is not None and bool((self.queries + counts > self.budget).any()):
            worst = int((self.queries + counts).argmax())
            raise QueryBudgetError(f"image {worst} would need {int(self.queries[worst] + counts[worst])} queries, "
                                   f"over its budget of {self.budget}: raise max_queries")
        self.queries += counts
        with torch.no_grad():
            logits = self._model(x)
        return logits.argmax(1) if self.output == "label" else logits.softmax(1)
