"""Square Attack: score-based random search with square-shaped updates, Linf and L2.

Andriushchenko, Croce, Flammarion and Hein 2020, "Square Attack: a
query-efficient black-box adversarial attack via random search", ECCV,
arXiv:1912.00049.

The model is reached only through a :class:`~inspector.core.concealment.oracle.QueryOracle`
returning probabilities. Each iteration proposes, per image not yet fooled, a
change confined to a random square window whose area is a fraction p of the
image (p halves on the paper's schedule, rescaled to the query budget) and
keeps it if the margin loss log p_y - max_{j != y} log p_j falls (targeted:
max_{j != t} log p_j - log p_t). Linf: the window gets +-eps per channel (signs
redrawn while they would leave the window unchanged), from vertical-stripe
initialisation. L2: mass is moved between two windows with
the paper's pseudo-Gaussian pattern, the total staying on the eps sphere.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from inspector.core.attacks.base import Step, budget_param, finalize, register
from inspector.core.attacks.losses import margin
from inspector.core.attacks.norms import NORMS
from inspector.core.attacks.query import QueryAttack
from inspector.core.concealment.oracle import QueryOracle
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.params import MAX_SEED, param

_SCHEDULE = (10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000)


def square_fraction(p_init: float, iteration: int, budget: int) -> float:
    """The paper's schedule: p halves at iterations 10, 50, ..., 8000 of a 10000-query run, rescaled."""
    i = int(iteration / budget * 10000)
    return p_init / 2 ** sum(i > t for t in _SCHEDULE)


def pseudo_gaussian(size: int, generator: torch.Generator) -> torch.Tensor:
    """The paper's (size, size) L2 window pattern: two halves of nested squares, opposite signs, unit norm.

    The halves are stacked vertically or side by side, drawn from ``generator``.
    """

    def rings(h: int, w: int) -> torch.Tensor:
        out = torch.zeros(h, w)
        cy, cx = h // 2, w // 2
        for k in range(max(cy, cx) + 1):
            out[max(cy - k, 0) : cy + k + 1, max(cx - k, 0) : cx + k + 1] += 1.0 / (k + 1) ** 2
        return out

    half = size // 2
    pattern = torch.zeros(size, size)
    pattern[:half] = rings(half, size) if half else 0
    pattern[half:] = -rings(size - half, size)
    if torch.rand((), generator=generator) < 0.5:
        pattern = pattern.T
    return pattern / pattern.norm().clamp_min(1e-12)


@register
@dataclass
class Square(QueryAttack):
    """Square Attack, Linf or L2 (Andriushchenko et al. 2020, arXiv:1912.00049).

    Shapes: x (N, C, H, W) in [0, 1], y and target (N,). At most
    ``max_queries`` oracle queries per image (1 for the start, then 1 per
    iteration while the image is not fooled); ``AttackResult.queries`` reports
    the most used by any image and ``query_counts`` each image's.

    The time goes into the model's forward passes (about 40 ms per query of a
    224x224 photo on one CPU core), so the default budget is 500 queries, 20 s
    there: on 8 sample photos at eps 4/255 every success within 1,000 queries
    came within 300 (7, 20, 130, 256, 281; three not fooled). The paper's
    10,000 are the ``PAPER`` preset.
    """

    name = "square"
    title = "Square Attack"
    paper = (
        "Andriushchenko, Croce, Flammarion and Hein 2020, Square Attack: a query-efficient black-box "
        "adversarial attack via random search, arXiv:1912.00049"
    )
    threat_model = "score-based"
    budget_parameter = "eps"
    PAPER = {"max_queries": 10000}

    eps: float = budget_param(4 / 255)
    norm: str = param("linf", "distance: linf or l2", choices=NORMS)
    max_queries: int = param(500, "query budget per image (paper: 10000)", minimum=1, maximum=MAX_COUNT)
    p_init: float = param(
        0.05, "initial fraction of the image a square covers (paper: 0.05 Linf, 0.1 L2)", minimum=0.0, maximum=1.0
    )
    seed: int = param(0, "seed of the random search", minimum=0, maximum=MAX_SEED)

    def planned_cost(self, shape):
        return 0, self.max_queries

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None, oracle: QueryOracle | None = None):
        """Attack ``x`` through ``oracle`` (made by :meth:`~inspector.core.attacks.query.QueryAttack.oracle`;
        None: ``model``'s full probabilities).

        Raises:
            ParameterError: an oracle for other images or answering labels (see
                :meth:`~inspector.core.attacks.query.QueryAttack.oracle_for`).
        """
        x = x.detach()
        n, c, h, w = x.shape
        oracle = self.oracle_for(model, x, oracle)
        gen = torch.Generator().manual_seed(self.seed)
        everyone = torch.arange(n, device=x.device)
        if self.norm == "linf":
            delta = self.eps * (torch.randint(0, 2, (n, c, 1, w), generator=gen) * 2 - 1).float().expand(n, c, h, w)
        else:
            delta = self._l2_start(n, c, h, w, gen)
        x_best = (x + delta.to(x.device)).clamp(0.0, 1.0)
        probs = oracle(x_best, everyone)
        gain = margin(probs.clamp_min(1e-30).log(), y, target)  # > 0: fooled
        iterations, cancelled = 0, False
        for i in range(self.max_queries - 1):
            if should_stop is not None and should_stop():
                cancelled = True
                break
            active = ((gain <= 0) & (oracle.remaining(everyone) > 0).to(x.device)).nonzero().squeeze(1)
            if active.numel() == 0:
                break
            iterations = i + 1
            side = min(max(int(round(math.sqrt(square_fraction(self.p_init, i, self.max_queries) * h * w))), 1), h - 1)
            propose = self._linf_proposal if self.norm == "linf" else self._l2_proposal
            candidate = propose(x[active], x_best[active], side, gen)
            probs_new = oracle(candidate, active)
            gain_new = margin(probs_new.clamp_min(1e-30).log(), y[active], None if target is None else target[active])
            better = gain_new > gain[active]
            chosen = active[better]
            x_best[chosen] = candidate[better]
            gain[chosen] = gain_new[better]
            probs[chosen] = probs_new[better]
            if on_step is not None:
                on_step(Step(iterations, self.max_queries - 1, gain.clone(), probs.clone(), x_best.clone(), gain > 0))
        result = finalize(
            model,
            x,
            x_best,
            y,
            target,
            linf_bound=self.linf_bound(),
            iterations=iterations,
            loss="margin",
            cancelled=cancelled,
            queries=int(oracle.queries.max()),
            query_counts=oracle.queries.clone(),
            oracle=oracle.report(),
        )
        return result

    def _window(self, side: int, h: int, w: int, gen: torch.Generator) -> tuple[int, int]:
        return int(torch.randint(0, h - side + 1, (1,), generator=gen)), int(
            torch.randint(0, w - side + 1, (1,), generator=gen)
        )

    def _linf_proposal(self, x, x_best, side, gen):
        """Per image, one window set to x +- eps per channel, all the images at once; signs that leave
        the window as it is are drawn again, so no query is spent on an unchanged image (as in the
        paper's code)."""
        m, c, h, w = x.shape
        top = torch.randint(0, h - side + 1, (m, 1), generator=gen)
        left = torch.randint(0, w - side + 1, (m, 1), generator=gen)
        span = torch.arange(side)
        at = (  # indices of each image's window: x[at] is (M, side, side, C)
            torch.arange(m)[:, None, None].to(x.device),
            slice(None),
            (top + span)[:, :, None].to(x.device),
            (left + span)[:, None, :].to(x.device),
        )
        clean, current = x[at], x_best[at]
        up, down = (clean + self.eps).clamp(0.0, 1.0), (clean - self.eps).clamp(0.0, 1.0)
        as_up = (current == up).flatten(1, 2).all(1).cpu()  # (M, C): the window already holds x + eps there
        as_down = (current == down).flatten(1, 2).all(1).cpu()
        positive = torch.randint(0, 2, (m, c), generator=gen).bool()
        redraw = torch.where(positive, as_up, as_down).all(1) if self.eps > 0 else torch.zeros(m, dtype=torch.bool)
        while bool(redraw.any()):
            positive[redraw] = torch.randint(0, 2, (int(redraw.sum()), c), generator=gen).bool()
            redraw &= torch.where(positive, as_up, as_down).all(1)
        out = x_best.clone()
        out[at] = torch.where(positive[:, None, None, :].to(x.device), up, down)
        return out

    def _l2_start(self, n, c, h, w, gen):
        """The paper's L2 start: a grid of pseudo-Gaussian squares with random signs, scaled to norm eps."""
        delta = torch.zeros(n, c, h, w)
        size = max(h // 5, 1)
        for r in range(0, h - size + 1, size):
            for s in range(0, w - size + 1, size):
                signs = (torch.randint(0, 2, (n, c, 1, 1), generator=gen) * 2 - 1).float()
                delta[:, :, r : r + size, s : s + size] = pseudo_gaussian(size, gen) * signs
        return delta / delta.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1, 1) * self.eps

    def _l2_proposal(self, x, x_best, side, gen):
        delta = x_best - x
        out = x_best.clone()
        for j in range(x.shape[0]):
            r1, s1 = self._window(side, x.shape[2], x.shape[3], gen)
            r2, s2 = self._window(side, x.shape[2], x.shape[3], gen)
            d = delta[j]
            both = torch.zeros_like(d[0], dtype=torch.bool)
            both[r1 : r1 + side, s1 : s1 + side] = True
            both[r2 : r2 + side, s2 : s2 + side] = True
            window = d[:, r1 : r1 + side, s1 : s1 + side]
            mass = d[:, both].pow(2).sum(1)  # (C,) in both windows
            spare = (self.eps**2 - d.pow(2).sum()).clamp_min(0) / d.shape[0]
            signs = (torch.randint(0, 2, (d.shape[0], 1, 1), generator=gen) * 2 - 1).float().to(x.device)
            new = pseudo_gaussian(side, gen).to(x.device) * signs
            new = new + window / window.flatten(1).norm(dim=1).clamp_min(1e-10).view(-1, 1, 1)
            new = (
                new / new.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1) * (mass + spare).sqrt().view(-1, 1, 1)
            )
            d = d.clone()
            d[:, both] = 0
            d[:, r1 : r1 + side, s1 : s1 + side] = new
            d = d / d.norm().clamp_min(1e-12) * self.eps
            out[j] = (x[j] + d).clamp(0.0, 1.0)
        return out
