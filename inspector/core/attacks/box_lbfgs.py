"""Batched L-BFGS on the box [0, 1]^n, in torch: many independent problems, one batch per evaluation.

A projected L-BFGS: the direction is the two-loop recursion (Nocedal and
Wright 2006, "Numerical Optimization", Algorithm 7.4; memory of ``MEMORY``
pairs) applied to the gradient of the variables not held at a bound (a
variable is held when it sits on a bound and its gradient pushes outwards);
the step is a backtracking line search along the projected path P(x + a d)
with the Armijo condition (Bertsekas 1982, "Projected Newton methods for
optimization problems with simple constraints"). It is a simpler relative of
L-BFGS-B (Byrd, Lu, Nocedal and Zhu 1995), without its Cauchy point.

The rows advance in lockstep: every evaluation is one batched call of the
objective on the rows still running, so a GPU (or a CPU's vector units) sees
one large batch instead of many small ones, and no work leaves torch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

#: Pairs (s, y) the inverse Hessian approximation keeps (scipy's L-BFGS-B: 10).
MEMORY = 10
#: Armijo's sufficient-decrease constant and the most halvings of one line search.
ARMIJO, MAX_HALVINGS = 1e-4, 20
#: A row stops once no variable's projected gradient exceeds this (scipy's pgtol).
PGTOL = 1e-5

Objective = Callable[[torch.Tensor, torch.Tensor], tuple[torch.Tensor, torch.Tensor]]


class Cancelled(Exception):
    """``should_stop()`` returned True during the minimisation."""


@dataclass
class Solution:
    """The last accepted iterate (R, n), its value (R,), and the objective evaluations per row (R,)."""

    x: torch.Tensor
    value: torch.Tensor
    evaluations: torch.Tensor
    calls: int


def minimize_box(
    objective: Objective,
    x0: torch.Tensor,
    *,
    evaluations: int,
    ftol: float,
    should_stop: Callable[[], bool] | None = None,
) -> Solution:
    """Minimise R independent objectives on [0, 1]^n from ``x0`` (R, n).

    ``objective(x, rows)`` returns the values (r,) and gradients (r, n) of rows ``rows`` (r,) at
    ``x`` (r, n). A row stops after ``evaluations`` evaluations, once its value falls by a
    fraction at most ``ftol`` of max(|f|, 1) in an iteration (L-BFGS-B's own test), once its
    projected gradient vanishes, or when no step along its direction lowers the value.
    ``Solution.calls`` counts the batched calls of ``objective``.

    Raises:
        Cancelled: ``should_stop()`` returned True before one of the calls.
    """
    rows_all = torch.arange(x0.shape[0], device=x0.device)
    calls = 0

    def evaluate(x, rows):
        nonlocal calls
        if should_stop is not None and should_stop():
            raise Cancelled
        calls += 1
        value, grad = objective(x, rows)
        return value.detach(), grad.detach()

    x = x0.clone()
    value, grad = evaluate(x, rows_all)
    used = torch.ones(x0.shape[0], dtype=torch.long, device=x0.device)
    memory = _Memory(x0.shape, MEMORY, x0.device)
    running = used < evaluations
    while running.any():
        rows = running.nonzero().squeeze(1)
        held = ((x[rows] <= 0) & (grad[rows] > 0)) | ((x[rows] >= 1) & (grad[rows] < 0))
        g = grad[rows].masked_fill(held, 0.0)
        converged = g.abs().amax(1) <= PGTOL
        direction = -memory.apply(g, rows).masked_fill(held, 0.0)
        slope = (direction * g).sum(1)
        steepest = -g / g.norm(dim=1, keepdim=True).clamp_min(1e-12)
        direction = torch.where((slope < 0)[:, None], direction, steepest)
        step = torch.ones(len(rows), device=x.device)
        new_x, new_value, new_grad = x[rows].clone(), value[rows].clone(), grad[rows].clone()
        searching = ~converged
        accepted = torch.zeros_like(searching)
        for _ in range(MAX_HALVINGS):
            searching &= used[rows] < evaluations
            if not searching.any():
                break
            ask = searching.nonzero().squeeze(1)
            trial = (x[rows[ask]] + step[ask, None] * direction[ask]).clamp(0.0, 1.0)
            trial_value, trial_grad = evaluate(trial, rows[ask])
            used[rows[ask]] += 1
            decrease = ARMIJO * (g[ask] * (trial - x[rows[ask]])).sum(1)
            ok = trial_value <= value[rows[ask]] + decrease
            good = ask[ok]
            new_x[good], new_value[good], new_grad[good] = trial[ok], trial_value[ok], trial_grad[ok]
            accepted[good] = True
            searching[good] = False
            step[ask[~ok]] /= 2
        memory.add(new_x - x[rows], new_grad - grad[rows], rows, accepted)
        stalled = (value[rows] - new_value) <= ftol * torch.maximum(value[rows].abs(), new_value.abs()).clamp_min(1.0)
        x[rows], value[rows], grad[rows] = new_x, new_value, new_grad
        running[rows] = ~converged & accepted & ~stalled & (used[rows] < evaluations)
    return Solution(x, value, used, calls)


class _Memory:
    """The (s, y) pairs of every row, newest last, for the two-loop recursion."""

    def __init__(self, shape, size: int, device):
        self.s = torch.zeros((size, *shape), device=device)
        self.y = torch.zeros((size, *shape), device=device)
        self.rho = torch.zeros(size, shape[0], device=device)  # 1 / (y . s); 0: an empty slot
        self.gamma = torch.ones(shape[0], device=device)  # s . y / y . y of the newest pair
        self.order: list[int] = []  # slots, oldest first
        self.size = size

    def apply(self, g: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """H g for rows ``rows``: the inverse Hessian approximation times g (r, n); g / |g| without pairs."""
        q = g.clone()
        alphas = []
        for slot in reversed(self.order):
            alpha = self.rho[slot, rows] * (self.s[slot, rows] * q).sum(1)
            q -= alpha[:, None] * self.y[slot, rows]
            alphas.append(alpha)
        no_pairs = self.rho[:, rows].eq(0).all(0)
        scale = torch.where(no_pairs, 1 / g.norm(dim=1).clamp_min(1e-12), self.gamma[rows])
        r = scale[:, None] * q
        for slot, alpha in zip(self.order, reversed(alphas), strict=True):
            beta = self.rho[slot, rows] * (self.y[slot, rows] * r).sum(1)
            r += (alpha - beta)[:, None] * self.s[slot, rows]
        return r

    def add(self, s: torch.Tensor, y: torch.Tensor, rows: torch.Tensor, accepted: torch.Tensor) -> None:
        """Store the pairs of rows ``rows`` where accepted and s . y is positive (curvature)."""
        slot = self.order.pop(0) if len(self.order) == self.size else len(self.order)
        self.order.append(slot)
        sy = (s * y).sum(1)
        keep = accepted & (sy > 1e-10 * (y * y).sum(1))
        self.rho[slot] = 0.0
        self.s[slot, rows], self.y[slot, rows] = s, y
        self.rho[slot, rows] = torch.where(keep, 1 / sy.clamp_min(1e-30), 0.0)
        self.gamma[rows] = torch.where(keep, sy / (y * y).sum(1).clamp_min(1e-30), self.gamma[rows])
