"""What every input-transform defence shares: the Defense interface and its registry.

A defence is a dataclass of typed parameters (see :mod:`inspector.core.util.params`)
with one batched entry point::

    defense.transform(x, generator=None) -> x'

taking and returning (N, C, H, W) float32 in [0, 1], same shape. Class
attributes say how an adaptive attack must see through it:
``differentiable`` transforms are attacked directly, the others through BPDA
(:mod:`inspector.core.defenses.bpda`) with :meth:`Defense.approximation` on the
backward pass; ``randomized`` ones are attacked with EOT
(:mod:`inspector.core.defenses.eot`).
"""

from __future__ import annotations

from typing import ClassVar

import torch

from inspector.core.util.params import Configurable, Registry


class Defense(Configurable):
    """Base class of input-transform defences; subclasses are dataclasses registered with :func:`register`.

    Class attributes:
        name: the registry key used in specs (``"jpeg"``).
        title: the name shown to users.
        paper: authors, year, title and arXiv id of the source paper.
        differentiable: the transform has useful gradients (no BPDA needed).
        randomized: the transform draws random numbers (EOT needed).
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    paper: ClassVar[str] = ""
    differentiable: ClassVar[bool] = False
    randomized: ClassVar[bool] = False

    def transform(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """The exact defence: (N, C, H, W) in [0, 1] -> (N, C, H, W) in [0, 1]."""
        raise NotImplementedError

    def approximation(self, x: torch.Tensor) -> torch.Tensor:
        """A differentiable g(x) ~ transform(x) for the BPDA backward pass; identity (straight-through) here."""
        return x


DEFENSES: Registry = Registry("defence")
register = DEFENSES.register


def make_defense(name: str, params: dict | None = None) -> Defense:
    """Build a registered defence from parameter values (text or typed).

    Raises:
        ParameterError: unknown defence name or bad parameter.
    """
    return DEFENSES.make(name, params)
