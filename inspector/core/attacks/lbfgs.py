"""L-BFGS: the box-constrained minimal L2 perturbation, with a search over the trade-off constant c.

Szegedy, Zaremba, Sutskever, Bruna, Erhan, Goodfellow and Fergus 2014,
"Intriguing properties of neural networks", ICLR, arXiv:1312.6199, section 4.1.

    minimise  c * ||x' - x||_2^2 + loss(x')   subject to x' in [0, 1]^m

solved by box-constrained L-BFGS (scipy's L-BFGS-B) from x' = x, with
loss(x') the cross-entropy of the target class (targeted), or the log-odds
of the true class, log p_y - log(1 - p_y) (untargeted; unlike log p_y it keeps
a gradient where the model is sure of y). The paper writes c * |r| and searches for
"the minimum c"; we square the norm (a smooth objective for L-BFGS), and
since a larger c weighs the norm more, the smallest perturbation comes from
the largest c whose minimiser still fools the model. Per image, c starts at
``initial_const``, is multiplied by 10 after a success and divided by 10
after a failure until both are seen, then bisected geometrically between the
largest success and the smallest failure. Success is judged on the 8-bit
image, and the smallest successful perturbation over the search is returned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from scipy.optimize import Bounds, minimize

from inspector.core.attacks.base import Attack, Step, finalize, register
from inspector.core.image import quantize
from inspector.core.metrics import is_success
from inspector.core.params import param


class Cancelled(Exception):
    """Raised inside the optimiser's callback when ``should_stop()`` asks to stop."""


def next_const(const: float, lower: float, upper: float) -> float:
    """The next c of the search, given the largest c that succeeded (``lower``, 0 if none yet)
    and the smallest that failed (``upper``, inf if none yet)."""
    if lower == 0.0:
        return const / 10
    if upper == float("inf"):
        return const * 10
    return (lower * upper) ** 0.5


@register
@dataclass
class LBFGS(Attack):
    """Box-constrained L-BFGS, L2 (Szegedy et al. 2014, arXiv:1312.6199).

    Shapes: x (N, C, H, W) in [0, 1], y and target (N,). Images are solved
    one at a time (each with its own c); one Step is reported per search step
    over c, for the whole batch. ``gradient_evaluations`` counts the
    optimiser's function evaluations (one forward and backward pass of one
    image each), the most of any image. ``should_stop()`` is checked before
    each search step and at every L-BFGS iteration. Minimal-norm attack: read the L2 norm of the result;
    images never fooled come back unchanged. The paper gives no values for
    the optimiser's settings; the defaults here are ours.
    """

    name = "lbfgs"
    title = "L-BFGS"
    paper = ("Szegedy, Zaremba, Sutskever, Bruna, Erhan, Goodfellow and Fergus 2014, Intriguing properties "
             "of neural networks, arXiv:1312.6199")
    minimal = True

    search_steps: int = param(10, "search steps over the trade-off constant c", minimum=1, maximum=100)
    steps: int = param(100, "L-BFGS-B iterations per value of c", minimum=1, maximum=100000)
    initial_const: float = param(0.01, "first value of c, the weight of the squared L2 norm", minimum=1e-10,
                                 maximum=1e10)

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None):
        x = x.detach()
        n = x.shape[0]
        best_adv = x.clone()
        best_l2 = torch.full((n,), float("inf"))
        const = [self.initial_const] * n
        lower, upper = [0.0] * n, [float("inf")] * n
        evaluations = [0] * n
        iterations, cancelled = 0, False
        try:
            for step in range(self.search_steps):
                if should_stop is not None and should_stop():
                    raise Cancelled
                last = x.clone()
                for i in range(n):
                    t = None if target is None else target[i:i + 1]
                    x_new, used = self._solve(model, x[i:i + 1], y[i:i + 1], t, const[i], should_stop)
                    evaluations[i] += used
                    last[i] = x_new[0]
                    with torch.no_grad():
                        q = quantize(x_new)
                        fooled = bool(is_success(model(q), y[i:i + 1], t)[0])
                        l2 = float((q - x[i:i + 1]).flatten().norm())
                    if fooled and l2 < best_l2[i]:
                        best_l2[i], best_adv[i] = l2, q[0]
                    if fooled:
                        lower[i] = max(lower[i], const[i])
                    else:
                        upper[i] = min(upper[i], const[i])
                    const[i] = next_const(const[i], lower[i], upper[i])
                iterations = step + 1
                if on_step is not None:
                    with torch.no_grad():
                        logits = model(last)
                    loss = -classification_loss(logits, y, target)
                    on_step(Step(iterations, self.search_steps, loss, logits.softmax(1), last,
                                 best_l2 < float("inf")))
        except Cancelled:
            cancelled = True
        return finalize(model, x, best_adv, y, target, iterations=iterations, gradient_evaluations=max(evaluations),
                        loss="ce" if target is not None else "log-odds", cancelled=cancelled)

    def _solve(self, model, x, y, target, const, should_stop):
        """Minimise the objective for one image (1, C, H, W) and one c: (x', function evaluations).

        Raises:
            Cancelled: ``should_stop()`` returned True.
        """
        shape, x0 = x.shape, x.flatten().double().numpy()

        def objective(flat):
            xa = torch.from_numpy(flat).view(shape).float().requires_grad_(True)
            value = const * (xa - x).pow(2).sum() + classification_loss(model(xa), y, target).sum()
            (grad,) = torch.autograd.grad(value, xa)
            return float(value.detach()), grad.flatten().double().numpy()

        def callback(_):
            if should_stop is not None and should_stop():
                raise Cancelled

        solution = minimize(objective, x0, jac=True, method="L-BFGS-B", bounds=Bounds(0.0, 1.0),
                            callback=callback, options={"maxiter": self.steps})
        return torch.from_numpy(np.asarray(solution.x)).view(shape).float(), int(solution.nfev)


def classification_loss(logits: torch.Tensor, y: torch.Tensor, target: torch.Tensor | None) -> torch.Tensor:
    """(N,) the loss term L-BFGS minimises: the cross-entropy of the target (targeted), or the
    log-odds of the true class, log p_y - log(1 - p_y) = z_y - logsumexp_{j != y} z_j (untargeted).

    The log-odds keeps a gradient where the model is sure of y: log p_y alone
    (minus the cross-entropy of y) saturates there, as its gradient is 1 - p_y.
    """
    if target is not None:
        return F.cross_entropy(logits, target, reduction="none")
    others = logits.scatter(1, y[:, None], float("-inf")).logsumexp(1)
    return logits.gather(1, y[:, None]).squeeze(1) - others
