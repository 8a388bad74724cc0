"""The settings of a randomized-smoothing certificate (Cohen, Rosenfeld and Kolter 2019,
"Certified Adversarial Robustness via Randomized Smoothing", arXiv:1902.02918, section 3.2):
the noise level sigma, the sample counts n0 (to guess the class) and n (to bound its
probability), the failure probability alpha, the batch of noisy copies and the seed.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.util.bounds import MAX_BATCH, MAX_COUNT, MAX_TRAIN_SEED
from inspector.core.util.errors import ParameterError
from inspector.core.util.params import Configurable, coerce, param


@dataclass
class Smoothing(Configurable):
    """How the smoothed classifier g(x) = argmax_c P(f(x + delta) = c), delta ~ N(0, sigma^2 I), is
    sampled. Every field is checked on construction.

    Raises:
        ParameterError: sigma <= 0; n0 or n outside 1..MAX_COUNT; n0 > n; alpha outside (0, 1);
            batch_size outside 1..MAX_BATCH; seed outside 0..MAX_TRAIN_SEED. Its ``param`` names the field.
    """

    name = "smoothing"

    sigma: float = param(0.25, "standard deviation of the Gaussian noise", above=0.0, maximum=10.0, unit="pixel")
    n0: int = param(100, "noisy samples that choose the class", minimum=1, maximum=MAX_COUNT)
    n: int = param(1000, "noisy samples that bound its probability", minimum=1, maximum=MAX_COUNT)
    alpha: float = param(0.001, "failure probability of the certificate, in (0, 1)", above=0.0, maximum=1.0)
    batch_size: int = param(500, "noisy copies per forward pass", minimum=1, maximum=MAX_BATCH)
    seed: int = param(0, "seed of the noise", minimum=0, maximum=MAX_TRAIN_SEED)

    def __post_init__(self) -> None:
        for spec in self.params():
            setattr(self, spec.name, coerce(spec, getattr(self, spec.name), "randomized smoothing"))
        if self.alpha >= 1:
            raise ParameterError(
                f"randomized smoothing parameter 'alpha': {self.alpha} must be below 1",
                param="alpha",
                detail=f"{self.alpha} must be below 1",
            )
        if self.n0 > self.n:
            raise ParameterError(
                f"randomized smoothing parameter 'n0': {self.n0} is above n ({self.n})",
                param="n0",
                detail=f"{self.n0} is above n ({self.n})",
            )

    def values(self) -> dict:
        """Every setting by name (JSON-ready): what an evaluation's configuration holds."""
        return {spec.name: getattr(self, spec.name) for spec in self.params()}
