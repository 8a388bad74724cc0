"""A model-stealing method: how the pool images are chosen and what the copy learns from the
victim's answers, and the registry of them (``inspector steal --method``, the Privacy workspace).

Each method is one class decorated ``@STEALING_METHODS.register`` in a module of
:mod:`inspector.core.privacy.stealing_methods`, imported in that package's ``__init__`` (the
registration line); torch-free, so that the command line lists them without it. The run itself
is :func:`inspector.core.privacy.stealing.steal`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from inspector.core.util.params import Configurable, Registry

#: The stealing methods by name.
STEALING_METHODS = Registry("stealing method")


@dataclass
class StealingMethod(Configurable):
    """``adaptive``: the images are chosen by the adaptive bandit of
    :mod:`inspector.core.privacy.sampling` (else at random); ``hard_labels``: the copy learns the
    victim's top-1 label even when probabilities are returned."""

    title: ClassVar[str] = ""
    paper: ClassVar[str] = ""
    adaptive: ClassVar[bool] = False
    hard_labels: ClassVar[bool] = False
