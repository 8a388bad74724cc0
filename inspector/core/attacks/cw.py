"""Carlini & Wagner L2: the minimal L2 perturbation by optimisation, with a binary search over c.

Carlini and Wagner 2017, "Towards Evaluating the Robustness of Neural
Networks", IEEE S&P, arXiv:1608.04644.

    minimise ||x' - x||_2^2 + c * f(x'),  x' = (tanh(w) + 1) / 2
    f(x') = max(z_y(x') - max_{j != y} z_j(x') + kappa, 0)       (untargeted)
    f(x') = max(max_{j != t} z_j(x') - z_t(x') + kappa, 0)       (targeted)

solved with Adam in the tanh variable w (the box [0, 1] holds by
construction), for each c of a per-image binary search: c shrinks after a
success and grows (x10 until the first success) after a failure. The
smallest successful perturbation over the whole search is returned.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.attacks.base import Attack, Step, finalize, register, straight_through_quantize
from inspector.core.attacks.losses import margin
from inspector.core.params import param


@register
@dataclass
class CarliniWagnerL2(Attack):
    """C&W L2 (Carlini and Wagner 2017, arXiv:1608.04644).

    Shapes: x (N, C, H, W) in [0, 1], y and target (N,). One gradient
    evaluation per optimisation step, ``binary_search_steps * steps`` at most.
    The model sees the 8-bit image through a straight-through rounding, so
    a perturbation counted as successful stays successful once exported.
    Minimal-norm attack: read the L2 norm of the result; images never fooled
    come back unchanged.
    """

    name = "cw"
    title = "C&W L2"
    paper = "Carlini and Wagner 2017, Towards Evaluating the Robustness of Neural Networks, arXiv:1608.04644"
    minimal = True

    binary_search_steps: int = param(9, "binary search steps over the constant c", minimum=1, maximum=100)
    steps: int = param(10000, "Adam steps per value of c (paper: 10000, with early abort)", minimum=1, maximum=100000)
    learning_rate: float = param(0.01, "Adam learning rate in tanh space", minimum=0.0, maximum=10.0)
    initial_const: float = param(1e-3, "first value of the trade-off constant c", minimum=0.0, maximum=1e10)
    confidence: float = param(0.0, "kappa: logit margin required beyond the boundary", minimum=0.0, maximum=1000.0)
    abort_early: bool = param(True, "stop a search step when the loss stops falling (checked every steps/10)")

    def planned_cost(self, shape):
        return self.binary_search_steps * self.steps, 0

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None):
        x = x.detach()
        n = x.shape[0]
        w0 = torch.atanh((x * 2 - 1).clamp(-1 + 1e-6, 1 - 1e-6))
        const = torch.full((n,), self.initial_const, device=x.device)
        lower = torch.zeros(n, device=x.device)
        upper = torch.full((n,), 1e10, device=x.device)
        best_l2 = torch.full((n,), float("inf"), device=x.device)
        best_adv = x.clone()
        total = self.binary_search_steps * self.steps
        iterations, cancelled = 0, False
        for _ in range(self.binary_search_steps):
            modifier = torch.zeros_like(x, requires_grad=True)
            optimizer = torch.optim.Adam([modifier], lr=self.learning_rate)
            fooled = torch.zeros(n, dtype=torch.bool, device=x.device)
            previous = float("inf")
            for step in range(self.steps):
                if should_stop is not None and should_stop():
                    cancelled = True
                    break
                x_new = (torch.tanh(w0 + modifier) + 1) / 2
                x_q = straight_through_quantize(x_new)
                logits = model(x_q)
                gap = margin(logits, y, target)                      # > 0: fooled
                l2_sq = (x_new - x).flatten(1).pow(2).sum(1)
                loss = l2_sq + const * (self.confidence - gap).clamp_min(0)
                optimizer.zero_grad()
                loss.sum().backward()
                optimizer.step()
                iterations += 1
                with torch.no_grad():
                    success = gap >= self.confidence if self.confidence > 0 else gap > 0
                    l2 = (x_q - x).flatten(1).norm(dim=1)
                    better = success & (l2 < best_l2)
                    best_l2 = torch.where(better, l2, best_l2)
                    best_adv[better] = x_q[better]
                    fooled |= success
                    if on_step is not None:
                        on_step(Step(iterations, total, -loss.detach(), logits.softmax(1), x_q.detach(),
                                     best_l2 < float("inf")))
                    if self.abort_early and (step + 1) % max(self.steps // 10, 1) == 0:
                        if loss.sum().item() > previous * 0.9999:
                            break
                        previous = loss.sum().item()
            if cancelled:
                break
            upper = torch.where(fooled, torch.minimum(upper, const), upper)
            lower = torch.where(fooled, lower, torch.maximum(lower, const))
            const = torch.where(upper < 1e9, (lower + upper) / 2, const * 10)
        return finalize(model, x, best_adv, y, target, iterations=iterations, gradient_evaluations=iterations,
                        loss="margin", cancelled=cancelled)
