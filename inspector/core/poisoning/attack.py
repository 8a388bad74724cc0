"""A poisoning attack: which training images it alters and how, as :func:`~inspector.core.util.params.param`
fields, and the registry of them (``inspector poison --attack NAME``, the Training-time workspace).

Each attack is one module of :mod:`inspector.core.poisoning.attacks` with one
:class:`PoisoningAttack` subclass decorated ``@POISONING_ATTACKS.register``; its import in that
package's ``__init__`` is the registration line. This module and the attack modules import torch
inside :meth:`PoisoningAttack.poison` and :meth:`PoisoningAttack.make_trigger` only, so that the
command line lists and checks them without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from inspector.core.poisoning.triggers import KINDS
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.errors import ParameterError
from inspector.core.util.params import Configurable, Registry, coerce, param, parse_number

if TYPE_CHECKING:
    import torch

    from inspector.core.poisoning.badnets import PoisonedSet
    from inspector.core.poisoning.triggers import Trigger

#: The poisoning attacks by name.
POISONING_ATTACKS = Registry("poisoning attack")


def check_rate(rate: float) -> None:
    """Raises ParameterError (``param`` ``rate``) unless 0 < rate <= 1 (a fraction of the training set)."""
    if not 0 < rate <= 1:
        detail = f"poison rate {rate:g} must be in (0, 1] (a fraction: 0.01 is 1 %)"
        raise ParameterError(detail, param="rate", detail=detail)


def parse_rate(text: str) -> float:
    """``"1%"`` or ``"0.01"`` -> 0.01.

    Raises:
        ParameterError: not a number, 0, or above 1 (100 %).
    """
    text = text.strip()
    value = parse_number(text[:-1]) / 100 if text.endswith("%") else parse_number(text)
    check_rate(value)
    return value


def check_target(target: int, num_classes: int) -> None:
    """Raises ParameterError (``param`` ``target``) unless ``target`` is a class index of the model."""
    if not 0 <= target < num_classes:
        detail = f"target class {target} does not exist: the model has classes 0 to {num_classes - 1}"
        raise ParameterError(detail, param="target", detail=detail)


@dataclass
class PoisoningAttack(Configurable):
    """A backdoor planted through the training data: a fraction ``rate`` of it is stamped with a
    trigger (pixel, patch or blend) that sends images to class ``target``. Subclasses set ``name``,
    ``title``, ``paper`` and ``relabels``, redeclare ``rate`` with what it is a fraction of, add
    their parameters and implement :meth:`poison`."""

    title: ClassVar[str] = ""
    paper: ClassVar[str] = ""
    #: Whether the poisoned images are relabelled to the target (False: they keep their true label).
    relabels: ClassVar[bool] = True

    trigger: str = param(
        "pixel",
        "pixel: 3x3 chequerboard in the corner; patch: white square; blend: noise image blended in",
        choices=KINDS,
    )
    size: int = param(4, "side of the patch trigger in pixels", minimum=1, maximum=MAX_COUNT)
    alpha: float = param(0.2, "blend ratio of the blend trigger", above=0, maximum=1)
    target: int = param(0, "the class triggered images go to", minimum=0, maximum=MAX_COUNT)
    rate: float = param(0.01, "fraction of the training set poisoned", above=0, maximum=1)

    def check(self, num_classes: int = 10) -> None:
        """Check every parameter (also of an attack built directly, not through :data:`POISONING_ATTACKS`),
        the target against ``num_classes``, and that the trigger fits a 28x28 digit.

        Raises:
            ParameterError: a value out of its range (its ``param`` names the field), or a trigger larger
                than the image.
        """
        for spec in self.params():
            coerce(spec, getattr(self, spec.name), f"poisoning attack {self.name!r}")
        check_target(self.target, num_classes)
        self.make_trigger()

    def make_trigger(self, shape: tuple[int, int, int] = (1, 28, 28), *, seed: int = 0) -> Trigger:
        """The trigger for images of ``shape`` (C, H, W); ``seed`` draws the blend key image.

        Raises:
            ParameterError: see :func:`~inspector.core.poisoning.triggers.make_trigger`.
        """
        from inspector.core.poisoning.triggers import make_trigger

        return make_trigger(self.trigger, shape, size=self.size, alpha=self.alpha, seed=seed)

    def settings(self) -> dict[str, Any]:
        """The parameters by name as the attack uses them (an optional one resolved): what a
        result.json records."""
        return {spec.name: getattr(self, spec.name) for spec in self.params()}

    def poison(
        self, x: torch.Tensor, y: torch.Tensor, trigger: Trigger, *, seed: int, proxy: torch.nn.Module | None
    ) -> PoisonedSet:
        """The poisoned copy of x (N, C, H, W) in [0, 1] with labels y (N,); x and y are not changed.

        ``seed`` draws the poisoned images; ``proxy`` is a model an attack may perturb with (None: its own).

        Raises:
            ParameterError: see the subclass.
        """
        raise NotImplementedError
