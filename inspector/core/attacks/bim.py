"""BIM / I-FGSM: the basic iterative method, FGSM repeated with clipping.

Kurakin, Goodfellow and Bengio 2017, "Adversarial Examples in the Physical
World", ICLR workshop, arXiv:1607.02533.

    x_0 = x
    x_{t+1} = Clip_{x, eps}( x_t + alpha * sign(grad loss(x_t)) )

It is PGD (:mod:`inspector.core.attacks.pgd`) without the random start, so it
runs PGD's loop with the paper's defaults: alpha = 1 grey level and
min(eps + 4, 1.25 eps) iterations for eps in grey levels (5 for eps = 4/255).
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.attacks.base import register
from inspector.core.attacks.pgd import PGD
from inspector.core.util.params import param


@register
@dataclass
class BIM(PGD):
    """Basic iterative method / I-FGSM (Kurakin et al. 2017, arXiv:1607.02533).

    Shapes: x (N, C, H, W) in [0, 1], y and target (N,). ``steps`` gradient
    evaluations. Targeted: descends the target's cross-entropy (the paper's
    "iterative least-likely class" method is the targeted run with the
    least-likely class as target).
    """

    name = "bim"
    title = "BIM / I-FGSM"
    paper = "Kurakin, Goodfellow and Bengio 2017, Adversarial Examples in the Physical World, arXiv:1607.02533"

    steps: int = param(5, "number of iterations (paper: min(eps*255 + 4, 1.25*eps*255))", minimum=1, maximum=100000)
    random_start: bool = param(False, "start from a random point in the ball (the paper starts at x)")
