"""Target concealment: what a deployed model answers, how fast it answers, and who it watches.

:class:`~.settings.Concealment` (the defender's settings), output modes (:mod:`.outputs`), the
throttle (:mod:`.throttle`), stateful detectors (:mod:`.stateful`, :mod:`.similarity`,
:mod:`.blacklight`) and the query oracle that applies them to every query (:mod:`.oracle`).
"""

from inspector.core.concealment.settings import (
    OUTPUT_MODES,
    STATEFUL_DETECTORS,
    Concealment,
    OutputMode,
    StatefulDetector,
    TokenBucket,
    format_duration,
    output_mode_from_spec,
    stateful_detector_from_spec,
    throttle_from_spec,
)

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
