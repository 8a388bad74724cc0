"""APGD: auto-PGD, step-size-free PGD with momentum and checkpointed step halving.

Croce and Hein 2020, "Reliable evaluation of adversarial robustness with an
ensemble of diverse parameter-free attacks", ICML, arXiv:2003.01690.

    z_{k+1} = P(x_k + eta_k * direction(grad f(x_k)))
    x_{k+1} = P(x_k + alpha (z_{k+1} - x_k) + (1 - alpha)(x_k - x_{k-1}))   (x_1 = z_1)

with eta_0 = 2 eps and alpha = 0.75. At the checkpoints w_j = ceil(p_j N),
p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06), the step
size is halved and the iterate restarted from the best point so far when
(1) the loss rose in fewer than rho = 0.75 of the steps since the last
checkpoint, or (2) the step size was not halved at the last checkpoint and the
best loss has not improved since. Losses: cross-entropy or DLR.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.attacks.base import Attack, Step, budget_param, finalize, register, straight_through_quantize
from inspector.core.attacks.losses import LOSSES
from inspector.core.attacks.norms import NORMS, ascent_direction, project, random_start
from inspector.core.util.metrics import is_success
from inspector.core.util.params import MAX_SEED, param


def checkpoints(steps: int) -> list[int]:
    """The iterations w_1 < w_2 < ... <= steps at which APGD may halve its step size.

    w_j = ceil(p_j * steps), with the p_j of the paper in exact hundredths
    (p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06)):
    in floats 0.41 + 0.16 is 0.5700000000000001, whose ceiling for 100
    steps is 58, not 57.
    """
    p = [0, 22]  # p_j in hundredths
    while p[-1] <= 100:
        p.append(p[-1] + max(p[-1] - p[-2] - 3, 6))
    return sorted({(q * steps + 99) // 100 for q in p[1:] if q <= 100})  # integer ceil(q / 100 * steps)


@register
@dataclass
class APGD(Attack):
    """Auto-PGD with cross-entropy or DLR loss (Croce and Hein 2020, arXiv:2003.01690).

    Shapes: x (N, C, H, W) in [0, 1], y and target (N,). One gradient
    evaluation per iteration plus one at the start. The model sees the 8-bit
    iterate (straight-through rounding), so success survives export. Returns, per image, the
    last iterate that fooled the model, else the point of highest loss. The run
    ends early once every image is fooled.
    """

    name = "apgd"
    title = "APGD"
    paper = (
        "Croce and Hein 2020, Reliable evaluation of adversarial robustness with an ensemble of diverse "
        "parameter-free attacks, arXiv:2003.01690"
    )
    budget_parameter = "eps"
    iteration_parameters = ("steps",)

    eps: float = budget_param(4 / 255)
    steps: int = param(100, "number of iterations (paper: 100)", minimum=1, maximum=100000)
    norm: str = param("linf", "distance: linf or l2", choices=NORMS)
    loss: str = param("ce", "objective: ce (cross-entropy) or dlr (difference of logits ratio)", choices=("ce", "dlr"))
    rho: float = param(0.75, "fraction of loss increases below which the step size is halved", minimum=0.0, maximum=1.0)
    momentum: float = param(0.75, "weight alpha of the new step against the previous one", minimum=0.0, maximum=1.0)
    seed: int = param(0, "seed of the random start", minimum=0, maximum=MAX_SEED)

    def planned_cost(self, shape):
        return self.steps + 1, 0

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None):
        return self.run_toward(model, x, y, target, target, on_step=on_step, should_stop=should_stop)

    def run_toward(self, model, x, y, pull, target, *, on_step=None, should_stop=None):
        """:meth:`run` with the loss pulled toward the classes ``pull`` (N,) (None: untargeted loss) and
        success judged against ``target`` (None: any other class than ``y``). APGD-T pulls toward one
        class while any misclassification counts (:mod:`inspector.core.attacks.apgd_t`)."""
        loss_fn = LOSSES[self.loss]
        x = x.detach()
        n = x.shape[0]
        view = (-1, 1, 1, 1)

        def evaluate(point):
            point = point.detach().requires_grad_(True)
            logits = model(straight_through_quantize(point))
            loss = loss_fn(logits, y, pull)
            (grad,) = torch.autograd.grad(loss.sum(), point)
            return loss.detach(), grad, logits.detach()

        def projected(point):
            return (x + project(point - x, self.norm, self.eps)).clamp(0.0, 1.0)

        generator = torch.Generator().manual_seed(self.seed)
        x_k = projected(x + random_start(x, self.norm, self.eps, generator))
        loss_k, grad_k, logits = evaluate(x_k)
        found = is_success(logits, y, target)
        x_out = torch.where(found.view(view), x_k, x)
        best_loss, x_best, grad_best = loss_k.clone(), x_k.clone(), grad_k.clone()
        x_prev = x_k
        eta = torch.full((n,), 2 * self.eps, device=x.device)
        marks = checkpoints(self.steps)
        last_mark, increases = 0, torch.zeros(n, device=x.device)
        best_at_mark, halved_at_mark = best_loss.clone(), torch.ones(n, dtype=torch.bool, device=x.device)
        iterations, cancelled = 0, False
        for k in range(self.steps):
            if should_stop is not None and should_stop():
                cancelled = True
                break
            with torch.no_grad():
                z = projected(x_k + eta.view(view) * ascent_direction(grad_k, self.norm))
                x_new = (
                    z if k == 0 else projected(x_k + self.momentum * (z - x_k) + (1 - self.momentum) * (x_k - x_prev))
                )
            loss_new, grad_new, logits = evaluate(x_new)
            iterations = k + 1
            with torch.no_grad():
                success = is_success(logits, y, target)
                x_out = torch.where(success.view(view), x_new, x_out)
                found |= success
                increases += (loss_new > loss_k).float()
                better = loss_new > best_loss
                best_loss = torch.where(better, loss_new, best_loss)
                x_best = torch.where(better.view(view), x_new, x_best)
                grad_best = torch.where(better.view(view), grad_new, grad_best)
                x_prev, x_k, grad_k, loss_k = x_k, x_new, grad_new, loss_new
                if on_step is not None:
                    on_step(Step(iterations, self.steps, loss_new, logits.softmax(1), x_new, success))
                if found.all():
                    break
                if iterations in marks:
                    few_increases = increases < self.rho * (iterations - last_mark)
                    stalled = ~halved_at_mark & (best_loss <= best_at_mark)
                    halve = few_increases | stalled
                    eta = torch.where(halve, eta / 2, eta)
                    x_k = torch.where(halve.view(view), x_best, x_k)
                    grad_k = torch.where(halve.view(view), grad_best, grad_k)
                    last_mark, increases = iterations, torch.zeros_like(increases)
                    best_at_mark, halved_at_mark = best_loss.clone(), halve
        x_out = torch.where(found.view(view), x_out, x_best)
        return finalize(
            model,
            x,
            x_out,
            y,
            target,
            linf_bound=self.linf_bound(),
            iterations=iterations,
            gradient_evaluations=iterations + 1,
            loss=self.loss,
            cancelled=cancelled,
        )
