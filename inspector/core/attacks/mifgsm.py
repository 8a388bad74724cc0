"""MI-FGSM: iterative FGSM with momentum on the normalised gradient.

Dong, Liao, Pang, Su, Zhu, Hu and Li 2018, "Boosting Adversarial Attacks with
Momentum", CVPR, arXiv:1710.06081.

    g_{t+1} = mu * g_t + grad loss(x_t) / ||grad loss(x_t)||_1
    x_{t+1} = Clip_{x, eps}( x_t + alpha * sign(g_{t+1}) )

with the paper's defaults eps = 16/255, T = 10 iterations, alpha = eps / T and
mu = 1. It runs PGD's loop (:mod:`inspector.core.attacks.pgd`) with the
momentum direction; for L2 the step is g / ||g||_2.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.attacks.base import budget_param, register
from inspector.core.attacks.norms import ascent_direction
from inspector.core.attacks.pgd import PGD
from inspector.core.util.params import param


@register
@dataclass
class MIFGSM(PGD):
    """Momentum iterative FGSM (Dong et al. 2018, arXiv:1710.06081).

    Shapes: x (N, C, H, W) in [0, 1], y and target (N,). ``steps`` gradient
    evaluations; the momentum is kept per image and starts at zero each run.
    """

    name = "mifgsm"
    title = "MI-FGSM"
    paper = "Dong, Liao, Pang, Su, Zhu, Hu and Li 2018, Boosting Adversarial Attacks with Momentum, arXiv:1710.06081"

    eps: float = budget_param(16 / 255)
    step_size: float = budget_param(1.6 / 255, "step size alpha per iteration (paper: eps / steps)")
    random_start: bool = param(False, "start from a random point in the ball (the paper starts at x)")
    decay: float = param(1.0, "momentum decay factor mu", minimum=0.0, maximum=10.0)

    def directions(self):
        momentum = None

        def step(grad):
            nonlocal momentum
            l1 = grad.abs().flatten(1).sum(1).clamp_min(1e-12).view(-1, 1, 1, 1)
            momentum = grad / l1 if momentum is None else self.decay * momentum + grad / l1
            return ascent_direction(momentum, self.norm)

        return step
