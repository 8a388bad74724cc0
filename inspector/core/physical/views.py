"""The distribution of viewing conditions a physical attack must survive (expectation over
transformation, EOT: Athalye, Engstrom, Ilyas and Kwok 2018, "Synthesizing Robust Adversarial
Examples", ICML, arXiv:1707.07397).

A camera sees an object turned, nearer or farther, from the side, in other light, out of focus
and with sensor noise. :class:`Views` draws such views of a batch of images with kornia's
differentiable warps and filters, so an attack can follow the gradient through them. Every random
number comes from the ``torch.Generator`` passed in: the same seed gives the same views.

The default ranges are those of the physical-attack papers (Eykholt et al. 2018, arXiv:1707.08945;
Brown et al. 2017, arXiv:1712.09665): rotation within +-15 degrees, scale 0.8-1.2, a viewing angle
up to 30 degrees off-axis, brightness +-20 %, blur up to 1 pixel at 32 pixels, and noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

from inspector.core.util.errors import ParameterError
from inspector.core.util.params import Configurable, param

#: How much :meth:`Views.wider` widens every range by default.
WIDER = 1.5


@dataclass(frozen=True)
class Views(Configurable):
    """Random views of images: rotation, scale, viewing angle, brightness, blur and noise.

    ``sample(x, generator)`` maps (N, C, H, W) in [0, 1] to N views, one drawn per image,
    differentiable in ``x``. Areas the warp brings in from outside the image repeat its border.

    Raises (on construction):
        ParameterError: a range out of bounds (``scale_min`` above ``scale_max``, a value past its maximum).
    """

    name = "views"

    rotation: float = param(15.0, "largest rotation about the viewing axis, degrees", minimum=0.0, maximum=90.0)
    scale_min: float = param(0.8, "smallest scale (distance: below 1 is farther)", above=0.0, maximum=4.0)
    scale_max: float = param(1.2, "largest scale", above=0.0, maximum=4.0)
    angle: float = param(30.0, "largest viewing angle off-axis (yaw and pitch), degrees", minimum=0.0, maximum=60.0)
    brightness: float = param(
        0.2, "largest brightness change, a fraction (0.2: x0.8 to x1.2)", minimum=0.0, maximum=0.9
    )
    blur: float = param(1.0, "largest Gaussian blur sigma, pixels at 32 pixels per side", minimum=0.0, maximum=4.0)
    noise: float = param(0.02, "standard deviation of the sensor noise, [0, 1] pixel units", minimum=0.0, maximum=0.2)

    def __post_init__(self):
        if self.scale_min > self.scale_max:
            detail = f"{self.scale_min:g} is above scale_max {self.scale_max:g}"
            raise ParameterError(f"views: scale_min {detail}", param="scale_min", detail=detail)

    def wider(self, factor: float = WIDER) -> Views:
        """The same distribution with every range ``factor`` times as wide (capped at each maximum):
        the views an honest evaluation draws, wider than those an attack optimised over."""
        limits = {s.name: s.maximum for s in self.params()}
        centre = math.sqrt(self.scale_min * self.scale_max)
        spread = math.sqrt(self.scale_max / self.scale_min) ** factor
        values = {
            f.name: round(min(getattr(self, f.name) * factor, limits[f.name]), 6)
            for f in fields(self)
            if f.name not in ("scale_min", "scale_max")
        }
        low, high = round(max(centre / spread, 1e-3), 6), round(min(centre * spread, limits["scale_max"]), 6)
        return replace(self, scale_min=low, scale_max=high, **values)

    def sample(self, x, generator):
        """One random view of each image of ``x`` (N, C, H, W) in [0, 1] -> (N, C, H, W) in [0, 1],
        differentiable in ``x``; every random number from ``generator`` (a ``torch.Generator``)."""
        from inspector.core.physical.warp import random_views

        return random_views(self, x, generator)
