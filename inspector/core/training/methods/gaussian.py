"""Gaussian noise augmentation (Cohen et al. 2019, arXiv:1902.02918), the base classifier of a
randomized-smoothing certificate: see :mod:`inspector.core.training.gaussian_noise` for the loss.
It writes ``mnist-smooth-<sigma>`` (``mnist-smooth-0.25``, ``mnist-smooth-0.50``)."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.training.method import TRAINING_METHODS, BatchLossMethod
from inspector.core.util.bounds import MAX_EPOCHS
from inspector.core.util.params import param


@TRAINING_METHODS.register
@dataclass
class GaussianAugmentation(BatchLossMethod):
    name = "smooth"
    title = "Gaussian noise augmentation (the base classifier of randomized smoothing)"
    paper = "Cohen, Rosenfeld and Kolter 2019, arXiv:1902.02918"

    epochs: int = param(10, "training epochs", minimum=1, maximum=MAX_EPOCHS)
    sigma: float = param(0.25, "standard deviation of the training noise", minimum=0.01, maximum=1.0, unit="pixel")

    @property
    def model_name(self) -> str:
        """``mnist-smooth-<sigma, 2 decimals>``."""
        return f"mnist-smooth-{self.sigma:.2f}"

    def batch_loss(self):
        from inspector.core.training.gaussian_noise import GaussianNoiseLoss

        return GaussianNoiseLoss(self.sigma)

    def settings(self) -> dict[str, str]:
        return {"sigma": str(self.sigma)}
