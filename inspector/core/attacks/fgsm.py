"""FGSM: the fast gradient sign method.

Goodfellow, Shlens and Szegedy 2015, "Explaining and Harnessing Adversarial
Examples", ICLR, arXiv:1412.6572. One step of size epsilon along the sign of the
loss gradient (Linf), or along the normalised gradient (the L2 "fast gradient
method").
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.attacks.base import Attack, Step, budget_param, finalize, register
from inspector.core.attacks.losses import LOSSES
from inspector.core.attacks.norms import NORMS, ascent_direction
from inspector.core.util.params import param


@register
@dataclass
class FGSM(Attack):
    """Fast gradient sign method (Goodfellow et al. 2015, arXiv:1412.6572).

    x_adv = clip(x + eps * sign(grad_x loss), 0, 1); targeted: descend the target's loss.
    Shapes: x (N, C, H, W) in [0, 1], y and target (N,). One iteration: one
    gradient evaluation, then one Step reporting the loss and probabilities of
    the exported (8-bit) x_adv. ``should_stop()`` is checked once, before the
    gradient: if it is True the images come back unchanged (rounded to 8 bits),
    with ``iterations`` 0 and ``cancelled`` set.
    """

    name = "fgsm"
    title = "FGSM"
    paper = "Goodfellow, Shlens and Szegedy 2015, Explaining and Harnessing Adversarial Examples, arXiv:1412.6572"
    budget_parameter = "eps"

    eps: float = budget_param(4 / 255)
    norm: str = param("linf", "distance: linf (sign step) or l2 (normalised gradient step)", choices=NORMS)
    loss: str = param("ce", "objective: ce (cross-entropy) or margin (C&W logit margin)", choices=tuple(LOSSES))

    def planned_cost(self, shape):
        return 1, 0

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None):
        x = x.detach()
        if should_stop is not None and should_stop():
            return finalize(model, x, x, y, target, iterations=0, loss=self.loss, cancelled=True)
        x_adv = x.clone().requires_grad_(True)
        loss = LOSSES[self.loss](model(x_adv), y, target)
        (grad,) = torch.autograd.grad(loss.sum(), x_adv)
        with torch.no_grad():
            x_new = (x + self.eps * ascent_direction(grad, self.norm)).clamp(0.0, 1.0)
        result = finalize(
            model,
            x,
            x_new,
            y,
            target,
            linf_bound=self.linf_bound(),
            iterations=1,
            gradient_evaluations=1,
            loss=self.loss,
        )
        if on_step is not None:
            loss_adv = LOSSES[self.loss](result.logits, y, target)  # finalize's logits carry no graph
            on_step(Step(1, 1, loss_adv, result.logits.softmax(1), result.x_adv, result.success))
        return result
