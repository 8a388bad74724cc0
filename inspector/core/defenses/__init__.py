"""Input-transform defences, adaptive attacks through them (BPDA, EOT) and detectors.

Importing this package registers every defence in DEFENSES and every detector in DETECTORS;
:mod:`.spec` builds one from its text (``"jpeg:quality=75"``).
"""

from inspector.core.defenses import learned, mc_dropout, realism, squeezing, strip, transforms  # noqa: F401  (registration)
from inspector.core.defenses.base import DEFENSES, Defense, make_defense
from inspector.core.defenses.detection import DETECTORS, Detector, make_detector
from inspector.core.defenses.pipeline import DefendedClassifier, Pipeline
from inspector.core.defenses.spec import defense_from_spec, detector_from_spec, parse_spec

__all__ = [
    "DEFENSES",
    "DETECTORS",
    "DefendedClassifier",
    "Defense",
    "Detector",
    "Pipeline",
    "defense_from_spec",
    "detector_from_spec",
    "make_defense",
    "make_detector",
    "parse_spec",
]
