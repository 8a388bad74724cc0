"""PGD: projected gradient descent on the loss, in an Linf or L2 ball.

Madry, Makelov, Schmidt, Tsipras and Vladu 2018, "Towards Deep Learning Models
Resistant to Adversarial Attacks", ICLR, arXiv:1706.06083.

    x_0 = x + uniform noise in the ball (random start)
    x_{t+1} = Proj_{B(x, eps) ∩ [0,1]^d}( x_t + alpha * direction(grad loss(x_t)) )

with direction = sign for Linf and the normalised gradient for L2.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.attacks.base import Attack, Step, budget_param, finalize, register
from inspector.core.attacks.losses import LOSSES
from inspector.core.attacks.norms import NORMS, ascent_direction, project, random_start
from inspector.core.util.metrics import is_success
from inspector.core.util.params import MAX_SEED, param


@register
@dataclass
class PGD(Attack):
    """Projected gradient descent (Madry et al. 2018, arXiv:1706.06083).

    Shapes: x (N, C, H, W) in [0, 1], y and target (N,). One gradient evaluation
    per step; the forward pass of each step also gives the Step report, so the
    attack costs ``steps`` gradient evaluations plus one final forward pass.
    With ``early_stop``, images stop moving once they fool the model.
    """

    name = "pgd"
    title = "PGD"
    paper = (
        "Madry, Makelov, Schmidt, Tsipras and Vladu 2018, Towards Deep Learning Models "
        "Resistant to Adversarial Attacks, arXiv:1706.06083"
    )
    budget_parameter = "eps"
    iteration_parameters = ("steps",)

    eps: float = budget_param(4 / 255)
    step_size: float = budget_param(1 / 255, "step size alpha per iteration (L2: per image)")
    steps: int = param(10, "number of iterations", minimum=1, maximum=100000)
    norm: str = param("linf", "distance: linf or l2", choices=NORMS)
    loss: str = param("ce", "objective: ce (cross-entropy) or margin (C&W logit margin)", choices=tuple(LOSSES))
    random_start: bool = param(True, "start from a uniformly random point in the ball")
    early_stop: bool = param(False, "stop moving an image as soon as it fools the model")
    seed: int = param(0, "seed of the random start", minimum=0, maximum=MAX_SEED)

    def planned_cost(self, shape):
        return self.steps, 0

    def directions(self):
        """A fresh step rule for one run: gradient (N, C, H, W) -> unit step direction.

        PGD steps along the steepest-ascent direction; subclasses with state
        across iterations (MI-FGSM's momentum) return a closure holding it.
        """
        return lambda grad: ascent_direction(grad, self.norm)

    def model_input(self):
        """A fresh rule for one run: the iterate (N, C, H, W) -> what the gradient's forward pass sees.

        The identity for PGD; input diversity (:mod:`inspector.core.attacks.diversity`) transforms it
        at random. The final evaluation always sees the iterate itself.
        """
        return lambda x_adv: x_adv

    def iterate(self, model, x, y, *, target=None, on_step=None, should_stop=None):
        """The PGD iterations without the final scoring pass: (x_adv (N, C, H, W), iterations, cancelled).

        Adversarial training (:mod:`inspector.core.training.pgd_at`) needs only the last iterate;
        :meth:`run` adds the final forward pass that scores it.
        """
        loss_fn = LOSSES[self.loss]
        direction = self.directions()
        seen = self.model_input()
        x = x.detach()
        if self.random_start:
            generator = torch.Generator().manual_seed(self.seed)
            x_adv = (x + random_start(x, self.norm, self.eps, generator)).clamp(0.0, 1.0)
        else:
            x_adv = x.clone()
        active = torch.ones(x.shape[0], dtype=torch.bool, device=x.device)
        iterations, cancelled = 0, False
        for i in range(self.steps):
            if should_stop is not None and should_stop():
                cancelled = True
                break
            x_adv.requires_grad_(True)
            logits = model(seen(x_adv))
            loss = loss_fn(logits, y, target)
            (grad,) = torch.autograd.grad(loss.sum(), x_adv)
            iterations = i + 1
            with torch.no_grad():
                x_adv = x_adv.detach()
                success = is_success(logits, y, target)
                if on_step is not None:
                    on_step(Step(iterations, self.steps, loss.detach(), logits.softmax(1), x_adv, success))
                if self.early_stop:
                    active &= ~success
                    if not active.any():
                        break
                step = self.step_size * direction(grad)
                if self.early_stop:
                    step = step * active.view(-1, 1, 1, 1)
                delta = project(x_adv + step - x, self.norm, self.eps)
                x_adv = (x + delta).clamp(0.0, 1.0)
        return x_adv, iterations, cancelled

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None):
        x = x.detach()
        x_adv, iterations, cancelled = self.iterate(
            model, x, y, target=target, on_step=on_step, should_stop=should_stop
        )
        return finalize(
            model,
            x,
            x_adv,
            y,
            target,
            linf_bound=self.linf_bound(),
            iterations=iterations,
            gradient_evaluations=iterations,
            loss=self.loss,
            cancelled=cancelled,
        )
