"""Input-transform defences, adaptive attacks through them (BPDA, EOT) and detectors.

Importing this package registers every defence in DEFENSES and every detector in DETECTORS.
"""

from inspector.core.defenses import mc_dropout, squeezing, strip, transforms  # noqa: F401  (registration)
from inspector.core.defenses.base import DEFENSES, Defense, make_defense
from inspector.core.defenses.detection import DETECTORS, Detector, make_detector
from inspector.core.defenses.pipeline import DefendedClassifier, Pipeline
from inspector.core.defenses.spec import parse_spec


def defense_from_spec(text: str) -> Defense:
    """Build a defence from ``"name:key=value,..."`` (e.g. ``"jpeg:quality=75"``). Raises ParameterError."""
    name, values = parse_spec(text)
    return make_defense(name, values)


def detector_from_spec(text: str) -> Detector:
    """Build a detector from ``"name:key=value,..."`` (e.g. ``"squeeze:bits=5"``). Raises ParameterError."""
    name, values = parse_spec(text, "detector")
    return make_detector(name, values)


__all__ = ["DEFENSES", "DETECTORS", "DefendedClassifier", "Defense", "Detector", "Pipeline",
           "defense_from_spec", "detector_from_spec", "make_defense", "make_detector", "parse_spec"]
