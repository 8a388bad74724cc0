"""The query oracle: the only way a black-box attack reaches the model.

A :class:`QueryOracle` wraps a classifier for a batch of N images. Every image
sent through it is charged to the original image it belongs to; a per-image
query budget is enforced. A :class:`~inspector.core.concealment.Concealment`
sets what the deployed model reveals and how it defends itself: the output
mode (full, rounded or top-k probabilities, noisy ones, or the top-1 label
only), a token-bucket throttle on a simulated clock, and a stateful detector
of query attacks. Each original image's queries come from one client (one
attack session): throttling and detections are counted per image.

Black-box attacks plan their queries with :meth:`QueryOracle.remaining` and stop
gracefully at the budget; a query beyond it raises :class:`QueryBudgetError`.
The attack's final 8-bit evaluation (``attacks.base.finalize``) is a check of
the result, not a query, and is not charged.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.concealment import Concealment, format_duration
from inspector.core.util.errors import InspectorError, ParameterError

#: What an attack reads from the oracle: scores (M, K), or the top-1 label (M,).
OUTPUTS = ("probabilities", "label")


class QueryBudgetError(InspectorError):
    """A black-box attack asked for more queries than its budget allows."""


@dataclass
class OracleReport:
    """What the oracle saw of one attack run.

    Attributes:
        output: the output mode's spec (``"topk:k=5"``) and ``output_title`` its description.
        queries: per image, the queries charged.
        attacker_time_s: per image, the simulated seconds the throttle made its client wait
            (0 without a throttle; the model's compute time is not counted).
        throttle: the throttle's description, or None.
        detector: the stateful detector's spec, or None.
        detections: per image, the queries flagged (None without a detector).
        first_detection: per image, the 1-based number of the first flagged query, or None if never.
    """

    output: str
    output_title: str
    queries: list[int]
    attacker_time_s: list[float]
    throttle: str | None = None
    detector: str | None = None
    detections: list[int] | None = None
    first_detection: list[int | None] | None = None

    def to_dict(self) -> dict:
        return dict(self.__dict__)

    def summary(self, image: int = 0) -> str:
        """One line for a status bar: queries, simulated time, detection, for image ``image``."""
        parts = [f"{self.queries[image]:,} queries ({self.output_title})"]
        if self.throttle is not None:
            parts.append(f"{format_duration(self.attacker_time_s[image])} at {self.throttle}")
        if self.detector is not None and self.first_detection is not None and self.detections is not None:
            first = self.first_detection[image]
            parts.append(
                f"{self.detector.split(':')[0]}: not detected"
                if first is None
                else f"{self.detector.split(':')[0]}: caught at query {first:,} ({self.detections[image]:,} detections)"
            )
        return "; ".join(parts)


class QueryOracle:
    """Counts and limits the queries a black-box attack makes, per image, and applies the concealment.

    Args:
        model: the classifier, (M, C, H, W) in [0, 1] -> logits (M, K).
        n_images: N, the number of original images being attacked.
        budget: the most queries allowed per image, or None for no limit.
        output: what the attack reads: ``"probabilities"`` (the output mode's scores, (M, K))
            or ``"label"`` (the top-1 class of the answer, (M,) long).
        concealment: the deployment's output mode, throttle and detector; None: full
            probabilities, no throttle, no detector.
        attacker: the attack's name, for error messages.

    Attributes:
        queries: (N,) long, queries charged to each image so far.
        detections: (N,) long, queries of each image the detector flagged.
        first_detection: (N,) long, the 1-based query number of each image's first flag (0: none).

    Raises:
        ParameterError: unknown ``output``, a budget below 1, or a score-reading attack against
            a label-only output mode.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        n_images: int,
        *,
        budget: int | None = None,
        output: str = "probabilities",
        concealment: Concealment | None = None,
        attacker: str = "this attack",
    ):
        if output not in OUTPUTS:
            raise ParameterError(f"oracle output {output!r} is not one of {', '.join(OUTPUTS)}")
        if budget is not None and budget < 1:
            raise ParameterError(f"query budget {budget} must be at least 1")
        self.concealment = concealment if concealment is not None else Concealment()
        if output == "probabilities" and not self.concealment.output.reveals_scores:
            raise ParameterError(
                f"{attacker} is score-based and cannot run against a label-only oracle "
                "(it returns the top-1 class only): use hopskipjump or a transfer attack"
            )
        self._model = model
        self.budget = budget
        self.output = output
        self.queries = torch.zeros(n_images, dtype=torch.long)
        self.detections = torch.zeros(n_images, dtype=torch.long)
        self.first_detection = torch.zeros(n_images, dtype=torch.long)

    def remaining(self, index: torch.Tensor | None = None) -> torch.Tensor:
        """Queries left per image, (N,) or (len(index),) long; a large number without a budget."""
        left = (self.budget - self.queries) if self.budget is not None else torch.full_like(self.queries, 2**62)
        return left if index is None else left[index.cpu()]

    def __call__(self, x: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
        """Query the model on ``x`` (M, C, H, W) in [0, 1]; row m is charged to image ``index[m]``.

        Returns:
            (M, K) scores of the output mode, or (M,) top-1 labels when ``output == "label"``.

        Raises:
            QueryBudgetError: some image would go over its budget; nothing is charged.
        """
        index = index.cpu()
        counts = torch.bincount(index, minlength=self.queries.numel())
        if self.budget is not None and bool((self.queries + counts > self.budget).any()):
            worst = int((self.queries + counts).argmax())
            raise QueryBudgetError(
                f"image {worst} would need {int(self.queries[worst] + counts[worst])} queries, "
                f"over its budget of {self.budget}: raise max_queries"
            )
        throttle, detector = self.concealment.throttle, self.concealment.detector
        if throttle is not None:
            for client, n in enumerate(counts.tolist()):
                if n:
                    throttle.serve(client, n)
        if detector is not None:
            number = self.queries[index] + _rank_within(index)  # 1-based query number per row
            flags = detector.observe(x, index)
            for m in flags.nonzero().flatten().tolist():
                i = int(index[m])
                self.detections[i] += 1
                if self.first_detection[i] == 0:
                    self.first_detection[i] = number[m]
        self.queries += counts
        with torch.no_grad():
            answer = self.concealment.output.answer(self._model(x))
        return answer.argmax(1) if self.output == "label" and answer.dim() == 2 else answer

    def report(self) -> OracleReport:
        """What this oracle saw so far (see :class:`OracleReport`)."""
        c = self.concealment
        n = self.queries.numel()
        clock = c.throttle.clock if c.throttle is not None else {}
        detected = c.detector is not None
        return OracleReport(
            output=c.output.spec(),
            output_title=c.output.describe(),
            queries=self.queries.tolist(),
            attacker_time_s=[float(clock.get(i, 0.0)) for i in range(n)],
            throttle=None if c.throttle is None else c.throttle.describe(),
            detector=None if c.detector is None else c.detector.spec(),
            detections=self.detections.tolist() if detected else None,
            first_detection=[int(v) or None for v in self.first_detection.tolist()] if detected else None,
        )


def _rank_within(index: torch.Tensor) -> torch.Tensor:
    """(M,) 1-based position of each row among the rows of the same image, in order."""
    out = torch.zeros_like(index)
    seen: dict[int, int] = {}
    for m, i in enumerate(index.tolist()):
        seen[i] = seen.get(i, 0) + 1
        out[m] = seen[i]
    return out
