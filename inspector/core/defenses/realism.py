"""The realism check: input validation by local contrast.

Camera images rarely have neighbouring pixels of exceptionally high contrast all over; an
L-infinity perturbation adds a difference of up to 2 eps between every pair of neighbours.
The check scores an image by a local-contrast statistic and flags it when the statistic is
above what clean images reach (the threshold calibrated on clean images at a false positive
rate, as every detector's: :mod:`inspector.core.defenses.detection`). The statistics:

* ``tv``: the anisotropic total variation per pixel (Rudin, Osher and Fatemi 1992), the mean
  absolute difference between horizontal neighbours plus that between vertical neighbours,
  in [0, 2];
* ``maxdiff``: the largest absolute difference between two neighbouring pixels, in [0, 1].

It is an input-validation defence, not a learned one: the statistic is differentiable, so an
adaptive attack adds it to its loss (:class:`~inspector.core.defenses.penalty.Penalized`,
after Carlini and Wagner 2017, arXiv:1705.07263, who bypass ten detectors that way).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.defenses.detection import Detector, fpr_param, register
from inspector.core.util.params import param

STATISTICS = ("tv", "maxdiff")


def local_contrast(x: torch.Tensor, statistic: str = "tv") -> torch.Tensor:
    """The statistic of each image of x (N, C, H, W) in [0, 1]: (N,), differentiable in x.

    ``tv``: mean |x[h, w+1] - x[h, w]| + mean |x[h+1, w] - x[h, w]| over channels and pixels, in [0, 2].
    ``maxdiff``: the largest of those differences, in [0, 1].

    Raises:
        ValueError: a statistic not in :data:`STATISTICS`.
    """
    dx = (x[..., :, 1:] - x[..., :, :-1]).abs().flatten(1)
    dy = (x[..., 1:, :] - x[..., :-1, :]).abs().flatten(1)
    if statistic == "tv":
        return dx.mean(1) + dy.mean(1)
    if statistic == "maxdiff":
        return torch.maximum(dx.amax(1), dy.amax(1))
    raise ValueError(f"local-contrast statistic {statistic!r}: expected one of {', '.join(STATISTICS)}")


@register
@dataclass
class RealismCheck(Detector):
    """Realism check (input validation): flags an image whose local contrast is above the clean images'.

    Score: :func:`local_contrast` of the image, in [0, 2] (``tv``) or [0, 1] (``maxdiff``); no
    forward pass of the model. ``differentiable``: an adaptive attack can take its gradient.
    """

    name = "realism"
    title = "Realism check (local contrast)"
    paper = "input validation by local contrast; total variation: Rudin, Osher and Fatemi 1992"
    differentiable = True

    statistic: str = param(
        "tv", "tv: total variation per pixel; maxdiff: largest neighbour difference", choices=STATISTICS
    )
    fpr: float = fpr_param()

    def score(self, model, x):
        with torch.no_grad():
            return local_contrast(x, self.statistic).cpu()

    def differentiable_score(self, x: torch.Tensor) -> torch.Tensor:
        """:meth:`score` with its gradient: (N,) on x's device."""
        return local_contrast(x, self.statistic)
