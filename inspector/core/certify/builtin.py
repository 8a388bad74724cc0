"""The certificate of a shipped smoothing model: the built-in base classifiers trained with
Gaussian noise (``mnist-smooth-0.25``, ``mnist-smooth-0.50``) are certified at the sigma they
were trained with and Cohen et al.'s sample counts (n0 = 100, n = 1,000 on a CPU; arXiv:1902.02918)."""

from __future__ import annotations

from inspector.core.certify.settings import Smoothing
from inspector.core.models.zoo.mnist_cnn import SMOOTHING_SIGMA


def builtin_smoothing(model: str) -> Smoothing | None:
    """The :class:`Smoothing` to certify built-in model ``model`` with (default n0, n, alpha and
    seed); None for a model that was not trained for randomized smoothing."""
    sigma = SMOOTHING_SIGMA.get(model)
    return None if sigma is None else Smoothing(sigma=sigma)


def certificate_text(label: str | None, radius: float, sigma: float) -> str:
    """One line for a certificate, beside the attack's norms: ``certified L2 radius 0.58 (smoothed
    class 7, sigma 0.25)``, or that the smoothed classifier abstains."""
    if label is None:
        return f"no certificate: the smoothed classifier abstains (sigma {sigma:g})"
    return f"certified L2 radius {radius:.2f} (smoothed class {label}, sigma {sigma:g})"
