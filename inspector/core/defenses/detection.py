"""What every adversarial-example detector shares: a score, a threshold calibrated on clean images, a flag.

A detector is a dataclass of typed parameters with::

    detector.score(model, x) -> (N,) float, higher = more suspicious
    detector.calibrate(model, x_clean) -> threshold   # the (1 - fpr) quantile of clean scores

An image is flagged when its score exceeds the threshold, so about ``fpr`` of
clean images like the calibration ones are flagged (the false positive rate).
"""

from __future__ import annotations

from typing import ClassVar

import torch

from inspector.core.errors import ParameterError
from inspector.core.params import Registry, param, param_specs


class Detector:
    """Base class of detectors; subclasses are dataclasses registered with :func:`register`.

    Subclasses declare ``fpr`` and implement :meth:`score`.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    paper: ClassVar[str] = ""

    fpr: float

    def score(self, model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
        """(N,) scores for x (N, C, H, W) in [0, 1]; higher means more likely adversarial."""
        raise NotImplementedError

    def calibrate(self, model: torch.nn.Module, x_clean: torch.Tensor) -> float:
        """The threshold: the (1 - fpr) quantile of the scores of clean images x_clean (N, C, H, W).

        Raises:
            ParameterError: x_clean is empty.
        """
        if x_clean.shape[0] == 0:
            raise ParameterError(f"detector {self.name!r}: no clean images to calibrate on")
        return float(torch.quantile(self.score(model, x_clean).double(), 1.0 - self.fpr))

    def spec(self) -> str:
        values = ",".join(f"{s.name}={getattr(self, s.name)}" for s in param_specs(type(self)))
        return f"{self.name}:{values}" if values else self.name


def fpr_param():
    """The ``fpr`` parameter every detector has."""
    return param(0.05, "false positive rate the threshold is calibrated for", minimum=0.0, maximum=0.5)


DETECTORS: Registry = Registry("detector")
register = DETECTORS.register


def make_detector(name: str, params: dict | None = None) -> Detector:
    """Build a registered detector from parameter values (text or typed).

    Raises:
        ParameterError: unknown detector name or bad parameter.
    """
    return DETECTORS.make(name, params)
