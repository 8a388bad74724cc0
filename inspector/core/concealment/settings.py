"""Target concealment: what a deployed model answers, how fast it answers, and who it watches.

A :class:`Concealment` is the defender's side of a black-box threat model:
an output mode (:mod:`.outputs`), an optional query throttle (:mod:`.throttle`)
and an optional stateful detector of query attacks (:mod:`.similarity`,
:mod:`.blacklight`). The :class:`~inspector.core.concealment.oracle.QueryOracle` applies it
to every query a black-box attack makes::

    concealment = Concealment.from_specs(output="topk:k=5", throttle="1/s", detector="blacklight")
    result = make_attack("square").run(model, x, y, concealment=concealment)
    result.oracle.to_dict()     # queries, simulated attacker time, detections
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch

from inspector.core.concealment import blacklight, similarity  # noqa: F401  (they register themselves)
from inspector.core.concealment.outputs import OUTPUT_MODES, OutputMode, Probabilities, output_mode_from_spec
from inspector.core.concealment.stateful import STATEFUL_DETECTORS, StatefulDetector
from inspector.core.concealment.throttle import TokenBucket, format_duration, throttle_from_spec
from inspector.core.defenses.spec import parse_spec

__all__ = [
    "Concealment",
    "OUTPUT_MODES",
    "OutputMode",
    "STATEFUL_DETECTORS",
    "StatefulDetector",
    "TokenBucket",
    "format_duration",
    "output_mode_from_spec",
    "stateful_detector_from_spec",
    "throttle_from_spec",
]


def stateful_detector_from_spec(text: str) -> StatefulDetector:
    """Build a stateful detector from ``"name:key=value,..."`` (``"blacklight"``, ``"similarity:k=50"``).

    Raises:
        ParameterError: an unknown detector or a bad parameter.
    """
    name, values = parse_spec(text, "stateful detector")
    return STATEFUL_DETECTORS.make(name, values)


@dataclass
class Concealment:
    """The defender's settings of a black-box threat model.

    Attributes:
        output: what each query returns (default: full probabilities).
        throttle: per-client token bucket, or None (no limit).
        detector: stateful detector of query attacks, or None; one that needs calibration
            must be calibrated before the attack (see :meth:`calibrate`).
    """

    output: OutputMode = field(default_factory=Probabilities)
    throttle: TokenBucket | None = None
    detector: StatefulDetector | None = None

    @classmethod
    def from_specs(
        cls, output: str = "probabilities", throttle: str | None = None, detector: str | None = None
    ) -> Concealment:
        """Build from the text specs of the command line (``"label"``, ``"1/s"``, ``"blacklight"``).

        Raises:
            ParameterError: a bad spec.
        """
        return cls(
            output_mode_from_spec(output),
            throttle_from_spec(throttle) if throttle else None,
            stateful_detector_from_spec(detector) if detector else None,
        )

    def calibrate(self, benign: torch.Tensor) -> float | None:
        """Calibrate the detector, where it needs it, on benign images (N, C, H, W) in [0, 1].

        Raises:
            ParameterError: too few images for the detector's false positive rate.
        """
        if self.detector is None or not self.detector.needs_calibration:
            return None
        return self.detector.calibrate(benign)

    def describe(self) -> str:
        parts = [self.output.describe()]
        if self.throttle is not None:
            parts.append(f"throttled to {self.throttle.describe()}")
        if self.detector is not None:
            parts.append(f"watched by {self.detector.name}")
        return ", ".join(parts)
