"""The clean-label backdoor (Turner, Tsipras and Madry 2019, arXiv:1912.02771): see
:mod:`inspector.core.poisoning.clean_label`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from inspector.core.poisoning.attack import POISONING_ATTACKS, PoisoningAttack
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.errors import ParameterError
from inspector.core.util.params import param

#: The default perturbation budget per norm (pixel units, images in [0, 1]): what ``eps`` None means.
DEFAULT_EPS = {"l2": 8.0, "linf": 0.3}
#: The largest budget per norm: every pixel, or the L2 norm of a white 28x28 image.
MAX_EPS = {"l2": 28.0, "linf": 1.0}


@POISONING_ATTACKS.register
@dataclass
class CleanLabel(PoisoningAttack):
    """Images of the target class keep their label: each is first made hard to classify by
    untargeted PGD on a robust proxy model (the shipped ``mnist-pgd-at``), then stamped, so the
    network learns to lean on the trigger."""

    name = "clean-label"
    title = "clean-label backdoor: target-class images made hard by PGD, labels kept"
    paper = "Turner et al. 2019, arXiv:1912.02771"
    relabels = False

    rate: float = param(0.01, "fraction of the target class poisoned (0.1: 10 % of its images)", above=0, maximum=1)
    norm: str = param("l2", "the norm of the PGD perturbation", choices=tuple(DEFAULT_EPS))
    eps: float | None = param(
        None,
        "PGD budget in pixel units (images in [0, 1]); none: by norm, 8 for l2 and 0.3 for linf",
        above=0,
        maximum=MAX_EPS["l2"],
    )
    steps: int = param(200, "PGD steps on the proxy, each of 2.5 eps / steps", minimum=1, maximum=MAX_COUNT)

    def budget(self) -> float:
        """``eps``, or where it is None the default of the norm (:data:`DEFAULT_EPS`): the one place it is resolved."""
        return DEFAULT_EPS[self.norm] if self.eps is None else self.eps

    def check(self, num_classes: int = 10) -> None:
        """As :meth:`PoisoningAttack.check`, and ``eps`` within its norm's range (:data:`MAX_EPS`)."""
        super().check(num_classes)
        if self.budget() > MAX_EPS[self.norm]:
            detail = f"{self.budget():g} must be in (0, {MAX_EPS[self.norm]:g}] for {self.norm}"
            raise ParameterError(f"clean-label eps {detail}", param="eps", detail=detail)

    def settings(self) -> dict[str, Any]:
        return super().settings() | {"eps": self.budget()}

    def poison(self, x, y, trigger, *, seed, proxy):
        from inspector.core.poisoning.clean_label import clean_label

        return clean_label(
            x,
            y,
            trigger,
            self.target,
            self.rate,
            proxy=proxy,
            norm=self.norm,
            eps=self.budget(),
            steps=self.steps,
            seed=seed,
        )
