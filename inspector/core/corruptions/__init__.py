"""Common corruptions (Hendrycks and Dietterich 2019, arXiv:1903.12261): the 15 corruptions at five
severities, and the measures of a model under them (:mod:`~inspector.core.corruptions.benchmark`)."""

from inspector.core.corruptions.registry import (
    CORRUPTIONS,
    SEVERITIES,
    Corruption,
    check_corruption,
    check_severity,
    corrupt,
    corrupt_batch,
)

__all__ = ["CORRUPTIONS", "SEVERITIES", "Corruption", "check_corruption", "check_severity", "corrupt", "corrupt_batch"]
