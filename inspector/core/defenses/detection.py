"""What every adversarial-example detector shares: a score, a threshold calibrated on clean images, a flag.

A detector is a dataclass of typed parameters with::

    detector.score(model, x) -> (N,) float, higher = more suspicious
    detector.calibrate(model, x_clean) -> threshold

An image is flagged when its score exceeds the threshold. The threshold is
the split-conformal quantile of n clean scores, the ceil((n + 1)(1 - fpr))-th
smallest (Vovk, Gammerman and Shafer 2005, "Algorithmic Learning in a Random
World"; Angelopoulos and Bates 2021, arXiv:2107.07511, section 1): on new
clean images like the calibration ones (exchangeable with them) the expected
rate of false flags is at most ``fpr``, and at least fpr - 1/(n + 1) when
scores do not tie. That rank exists only for n >= 1/fpr - 1 images
(:func:`min_calibration_images`: 19 for fpr 0.05); with fewer, even the
highest clean score is exceeded by 1/(n + 1) of new clean images on average,
so calibration is refused. On the calibration images themselves the rate is
at most ``fpr`` by construction: measure it on others.
"""

from __future__ import annotations

import math
from typing import ClassVar

import torch

from inspector.core.util.errors import ParameterError
from inspector.core.util.params import Configurable, Registry, param

#: The most input values scored in one batch while calibrating (64 MB as float32): 111 photos at
#: 224 x 224, all 400 shipped digits at once, so a large calibration folder costs time, not memory.
CHUNK_VALUES = 2**24


def min_calibration_images(fpr: float) -> int:
    """The fewest clean images that can calibrate a threshold for a false positive rate ``fpr`` in (0, 1).

    That is ceil(1/fpr) - 1: 19 for 0.05, 9 for 0.1, 1 for 0.5.
    """
    return math.ceil(1 / fpr - 1 - 1e-9)


def conformal_rank(n: int, fpr: float) -> int:
    """The 1-based rank ceil((n + 1)(1 - fpr)) of the clean score used as the threshold (<= n when
    n >= :func:`min_calibration_images`)."""
    return math.ceil((n + 1) * (1 - fpr) - 1e-9)


def conformal_threshold(scores: torch.Tensor, fpr: float) -> float:
    """The :func:`conformal_rank`-th smallest of n >= :func:`min_calibration_images` clean ``scores`` (n,)."""
    return float(scores.double().sort().values[conformal_rank(len(scores), fpr) - 1])


class Detector(Configurable):
    """Base class of detectors; subclasses are dataclasses registered with :func:`register`.

    Subclasses declare ``fpr`` and implement :meth:`score`.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    paper: ClassVar[str] = ""
    #: The score has a gradient (:meth:`differentiable_score`): an adaptive attack adds it as a penalty.
    differentiable: ClassVar[bool] = False

    fpr: float

    def score(self, model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
        """(N,) scores for x (N, C, H, W) in [0, 1]; higher means more likely adversarial."""
        raise NotImplementedError

    def differentiable_score(self, x: torch.Tensor) -> torch.Tensor:
        """:meth:`score` with its gradient, (N,) on x's device; only where ``differentiable``."""
        raise NotImplementedError

    def calibrate(self, model: torch.nn.Module, x_clean: torch.Tensor) -> float:
        """The threshold for ``fpr`` from clean images x_clean (N, C, H, W) in [0, 1]: the
        :func:`conformal_rank`-th smallest of their scores (see the module docstring).

        Raises:
            ParameterError: fewer than :func:`min_calibration_images` images; the message says
                how many ``fpr`` needs and the lowest ``fpr`` these images allow.
        """
        n, need = x_clean.shape[0], min_calibration_images(self.fpr)
        if n < need:
            raise ParameterError(
                f"detector {self.name!r}: {n} clean images cannot calibrate a false positive "
                f"rate of {self.fpr:g}: that takes at least {need} (or fpr >= {1 / (n + 1):.2g})"
            )
        chunk = max(1, CHUNK_VALUES // max(1, x_clean[0].numel()))  # the model sees a bounded batch
        scores = torch.cat([self.score(model, x_clean[i : i + chunk]) for i in range(0, n, chunk)])
        return conformal_threshold(scores, self.fpr)


def fpr_param():
    """The ``fpr`` parameter every detector has."""
    return param(
        0.05,
        "false positive rate the threshold is calibrated for (it takes at least 1/fpr - 1 clean images)",
        minimum=0.001,
        maximum=0.5,
    )


DETECTORS: Registry = Registry("detector")
register = DETECTORS.register


def make_detector(name: str, params: dict | None = None) -> Detector:
    """Build a registered detector from parameter values (text or typed).

    Raises:
        ParameterError: unknown detector name or bad parameter.
    """
    return DETECTORS.make(name, params)
