"""L-BFGS: the box-constrained minimal L2 perturbation, with a search over the trade-off constant c.

Szegedy, Zaremba, Sutskever, Bruna, Erhan, Goodfellow and Fergus 2014,
"Intriguing properties of neural networks", ICLR, arXiv:1312.6199, section 4.1.

    minimise  c * ||x' - x||_2^2 + loss(x')   subject to x' in [0, 1]^m

solved by box-constrained L-BFGS from x' = x, with
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

The minimiser is our batched projected L-BFGS (:mod:`.box_lbfgs`; it was
scipy's L-BFGS-B, one image and one c at a time, whose own bookkeeping cost
as much as the model on a 224x224 photo). A value of c gets ``steps``
evaluations of the objective and stops early once an iteration lowers it by
a fraction ``ftol`` or less. Every (image, c) problem runs in one batch, ``parallel_constants`` values of c per image at
once (K decades towards the bracket, then K points spaced geometrically
inside it, a (K+1)-ary search; K = 1 is the sequential search above). An
image's search ends once its bracket is tight: the smallest c that failed at
most ``TIGHT`` times the largest that succeeded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from inspector.core.attacks.base import Attack, Step, finalize, register
from inspector.core.attacks.box_lbfgs import Cancelled, minimize_box
from inspector.core.io.image import quantize
from inspector.core.util.metrics import is_success
from inspector.core.util.params import param

#: An image's search over c ends when its smallest failing c is at most this times its largest successful one.
TIGHT = 1.05


def constants_for(start: torch.Tensor, lower: torch.Tensor, upper: torch.Tensor, count: int) -> torch.Tensor:
    """(m, count) values of c to try next per image, ascending, from the largest c that succeeded
    (``lower``, 0: none yet) and the smallest that failed (``upper``, inf: none yet), both (m,).

    First (neither seen): decades around ``start``; without a success: the decades below
    ``upper``; without a failure: those above ``lower``; else points spaced geometrically inside
    the bracket (count = 1: ``start``, upper / 10, lower * 10 and sqrt(lower upper), the search of
    the paper's method as we run it sequentially).
    """
    j = torch.arange(count, device=lower.device, dtype=lower.dtype)
    first = start[:, None] * 10.0 ** (j - (count - 1) // 2)
    below = upper[:, None] * 10.0 ** (j - count)
    above = lower[:, None] * 10.0 ** (j + 1)
    ratio = (upper / lower.clamp_min(1e-30)).clamp_max(1e30)[:, None]
    inside = lower[:, None] * ratio ** ((j + 1) / (count + 1))
    no_success, no_failure = (lower == 0)[:, None], upper.isinf()[:, None]
    return torch.where(
        no_success & no_failure, first, torch.where(no_success, below, torch.where(no_failure, above, inside))
    )


@register
@dataclass
class LBFGS(Attack):
    """Box-constrained L-BFGS, L2 (Szegedy et al. 2014, arXiv:1312.6199).

    Shapes: x (N, C, H, W) in [0, 1], y and target (N,). One Step per round of
    the search over c (``ceil(search_steps / parallel_constants)`` rounds), for
    the whole batch: per image, the solution of its largest c this round.
    ``gradient_evaluations`` counts the minimiser's batched evaluations (one
    forward and backward pass of every (image, c) row still running each);
    each row is allowed ``steps`` of them. ``should_stop()`` is checked before
    each evaluation. Minimal-norm attack: read the L2 norm of the result;
    images never fooled come back unchanged. The paper gives no values for the
    optimiser's settings; the defaults here are ours.
    """

    name = "lbfgs"
    title = "L-BFGS"
    paper = (
        "Szegedy, Zaremba, Sutskever, Bruna, Erhan, Goodfellow and Fergus 2014, Intriguing properties "
        "of neural networks, arXiv:1312.6199"
    )
    minimal = True
    iteration_parameters = ("search_steps", "steps")

    search_steps: int = param(
        10, "values of c tried per image, the search over the trade-off constant c", minimum=1, maximum=100
    )
    steps: int = param(30, "objective evaluations (one gradient each) per value of c", minimum=1, maximum=100000)
    initial_const: float = param(
        0.01, "first value of c, the weight of the squared L2 norm", minimum=1e-10, maximum=1e10
    )
    ftol: float = param(
        1e-4,
        "stop a value of c once an iteration lowers the objective by at most this "
        "fraction of max(|f|, 1) (scipy's default: 2.2e-9)",
        minimum=0.0,
        maximum=1.0,
    )
    parallel_constants: int = param(1, "values of c tried at once per image, in one batch", minimum=1, maximum=100)

    def planned_cost(self, shape):
        return self.search_steps * self.steps, 0

    def rounds(self) -> int:
        """Batches of values of c: the search's sequential steps."""
        return math.ceil(self.search_steps / self.parallel_constants)

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None):
        x = x.detach()
        n = x.shape[0]
        best_adv = x.clone()
        best_l2 = torch.full((n,), float("inf"), device=x.device)
        start = torch.full((n,), self.initial_const, device=x.device)
        lower = torch.zeros(n, device=x.device)
        upper = torch.full((n,), float("inf"), device=x.device)
        searching = torch.ones(n, dtype=torch.bool, device=x.device)
        shown = x.clone()
        iterations, evaluations, tried, cancelled = 0, 0, 0, False
        while tried < self.search_steps and searching.any():
            count = min(self.parallel_constants, self.search_steps - tried)
            images = searching.nonzero().squeeze(1)
            owner = images.repeat_interleave(count)
            consts = constants_for(start[images], lower[images], upper[images], count).flatten()
            t = None if target is None else target[owner]
            try:
                solution = minimize_box(
                    self._objective(model, x[owner], y[owner], t, consts),
                    x[owner].flatten(1),
                    evaluations=self.steps,
                    ftol=self.ftol,
                    should_stop=should_stop,
                )
            except Cancelled:
                cancelled = True
                break
            evaluations += solution.calls
            tried += count
            iterations += 1
            with torch.no_grad():
                q = quantize(solution.x.view(-1, *x.shape[1:]))
                fooled = is_success(model(q), y[owner], t)
                l2 = (q - x[owner]).flatten(1).norm(dim=1)
                for r in (fooled & (l2 < best_l2[owner])).nonzero().squeeze(1).tolist():
                    k = int(owner[r])
                    if l2[r] < best_l2[k]:
                        best_l2[k], best_adv[k] = l2[r], q[r]
                inf = torch.full_like(consts, float("inf"))
                lower.scatter_reduce_(0, owner, torch.where(fooled, consts, torch.zeros_like(consts)), reduce="amax")
                upper.scatter_reduce_(0, owner, torch.where(fooled, inf, consts), reduce="amin")
                searching &= ~(upper <= TIGHT * lower)
                last = torch.ones_like(owner, dtype=torch.bool)
                last[:-1] = owner[1:] != owner[:-1]  # each image's row of largest c
                shown[owner[last]] = solution.x.view(-1, *x.shape[1:])[last]
            if on_step is not None:
                with torch.no_grad():
                    logits = model(shown)
                on_step(
                    Step(
                        iterations,
                        self.rounds(),
                        -classification_loss(logits, y, target),
                        logits.softmax(1),
                        shown.clone(),
                        best_l2 < float("inf"),
                    )
                )
        return finalize(
            model,
            x,
            best_adv,
            y,
            target,
            iterations=iterations,
            gradient_evaluations=evaluations,
            loss="ce" if target is not None else "log-odds",
            cancelled=cancelled,
        )

    @staticmethod
    def _objective(model, x, y, target, consts):
        """The batched objective of rows (one image and one c each): c ||x' - x||^2 + loss(x')."""

        def objective(flat, rows):
            xa = flat.view(-1, *x.shape[1:]).requires_grad_(True)
            t = None if target is None else target[rows]
            value = consts[rows] * (xa - x[rows]).flatten(1).pow(2).sum(1) + classification_loss(model(xa), y[rows], t)
            (grad,) = torch.autograd.grad(value.sum(), xa)
            return value, grad.flatten(1)

        return objective


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
