"""What every stateful detector of query attacks shares, and how to build one from a spec.

A stateful detector watches the stream of queries a deployed model receives
and flags a query that looks like part of an attack: black-box attacks
(Square, HopSkipJump, model extraction) send thousands of queries close to
each other, which benign users rarely do. Each detector implements::

    detector.observe(x, clients) -> (M,) bool     x (M, C, H, W) in [0, 1], in the order received

and keeps its state between calls (:meth:`StatefulDetector.reset` forgets it).
Specs read ``name:key=value`` (``similarity:k=50``, ``blacklight:threshold=25``).
"""

from __future__ import annotations

from typing import ClassVar

import torch

from inspector.core.util.params import Configurable, Registry


class StatefulDetector(Configurable):
    """Base class; subclasses are dataclasses of typed parameters registered with :func:`register`.

    Class attributes:
        name: the spec name; title, paper: for users and reports.
        needs_calibration: True when :meth:`calibrate` must run on benign images first.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    paper: ClassVar[str] = ""
    needs_calibration: ClassVar[bool] = False

    def observe(self, x: torch.Tensor, clients: torch.Tensor) -> torch.Tensor:
        """Take the queries x (M, C, H, W) in [0, 1] sent by ``clients`` (M,), in order; (M,) bool flags."""
        raise NotImplementedError

    def calibrate(self, benign: torch.Tensor) -> float | None:
        """Set the threshold on benign images (N, C, H, W); returns it (None: nothing to calibrate)."""
        return None

    def reset(self) -> None:
        """Forget every query seen (the calibration stays)."""
        raise NotImplementedError


STATEFUL_DETECTORS: Registry = Registry("stateful detector")
register = STATEFUL_DETECTORS.register
