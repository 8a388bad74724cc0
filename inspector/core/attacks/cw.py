"""Carlini & Wagner L2: the minimal L2 perturbation by optimisation, with a search over c.

Carlini and Wagner 2017, "Towards Evaluating the Robustness of Neural
Networks", IEEE S&P, arXiv:1608.04644.

    minimise ||x' - x||_2^2 + c * f(x'),  x' = (tanh(w) + 1) / 2
    f(x') = max(z_y(x') - max_{j != y} z_j(x') + kappa, 0)       (untargeted)
    f(x') = max(max_{j != t} z_j(x') - z_t(x') + kappa, 0)       (targeted)

solved with Adam in the tanh variable w (the box [0, 1] holds by
construction), for each c of a per-image search: c grows x10 until the first
success, then the search narrows the interval between the largest c that
failed and the smallest that succeeded. The smallest successful perturbation
over the whole search is returned.

The defaults finish in seconds on a CPU (the paper's settings, 9 values of
c x 10,000 steps, take hours on a 224x224 photo: the ``PAPER`` preset). The
search stops early, and can be batched, which the paper's code does not:

- ``parallel_constants`` values of c per image can run side by side in one
  batch: the paper's next c and the values its search would try after it,
  whatever the outcomes (the top of its search tree), so a round holds the
  paper's next steps in fewer sequential rounds; K = 1 (the default) is the
  paper's search. Every row costs its own gradient: on a CPU a batch of 3
  rows costs 3 times one, and a round of 3 covers 2 of the paper's steps,
  so there K = 3 spends up to half as many gradients again for the same
  depth of search; it pays where a batch costs about what one row does (an
  accelerator with room to spare);
- with ``abort_early``, a value of c stops once its loss has fallen by less
  than 0.01 % over the last ``abort_window`` steps (the paper's code checks
  every steps / 10: on its 10,000 steps, at least 2,000 steps per value of c);
  and an image's search ends once its interval is tight (the smallest c that
  succeeded at most ``TIGHT`` times the largest that failed), or after a
  round in which every c succeeded but none improved its best L2 by ``GAIN``;
- by default the learning rate follows the image size (``AUTO_RATE``): the
  paper's 0.01 needs thousands of steps on MNIST, where values at 0 sit deep
  in tanh's flat tail, and is coarse for a 224x224 photo; and c starts at 0.1,
  not 1e-3: every c "succeeds" at Adam's first, large step on a photo, so from
  1e-3 the search only goes down, and the small L2 comes from c near 0.1
  (0.32 instead of 1.45 on a sample photo).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from inspector.core.attacks.base import Attack, Step, finalize, register, straight_through_quantize
from inspector.core.attacks.losses import margin
from inspector.core.util.params import param

#: An image's search over c ends when the smallest c that succeeded is at most this times the largest that failed.
TIGHT = 1.1
#: An image's search also ends after a round in which every c succeeded but none lowered its best L2 by this fraction.
GAIN = 0.01
#: Above this, c has not yet succeeded: the paper's code marks "no success yet" with c = 1e10.
NO_SUCCESS = 1e9
#: With learning_rate 0, the rate is AUTO_RATE / sqrt(C*H*W): Adam moves nearly every value by about the
#: rate at each step, so the L2 length of a step is the same at every image size (0.071 on a 28x28
#: digit, where values at 0 need large moves in tanh space; 0.0052 on a 224x224 photo, whose
#: perturbation of a fraction of a grey level per value a larger rate buries in noise).
AUTO_RATE = 2.0
#: Adam's parameters (Kingma and Ba 2015, arXiv:1412.6980; torch's defaults).
BETAS, ADAM_EPS = (0.9, 0.999), 1e-8


def next_const(lower: float, upper: float) -> float:
    """The paper's next c, from the largest c that failed (``lower``) and the smallest that
    succeeded (``upper``, above ``NO_SUCCESS``: none yet): x10 until a success, then bisection."""
    return lower * 10 if upper > NO_SUCCESS else (lower + upper) / 2


def constants_for(first: float, lower: float, upper: float, count: int) -> list[float]:
    """The ``count`` values of c the paper's sequential search may try next, in the order it would
    reach them: its next c (``first`` where it has tried none), then that c's successor after a
    success and after a failure, then theirs, ... (the top of the search tree, breadth first).
    Tried at once, they hold every c of the paper's next steps; count = 1 is the paper's search."""
    nodes: list[float] = []
    queue = [(first, lower, upper)]
    while len(nodes) < count:
        c, low, high = queue.pop(0)
        nodes.append(c)
        queue += [(next_const(low, c), low, c), (next_const(c, high), c, high)]
    return nodes


@register
@dataclass
class CarliniWagnerL2(Attack):
    """C&W L2 (Carlini and Wagner 2017, arXiv:1608.04644).

    Shapes: x (N, C, H, W) in [0, 1], y and target (N,). The model sees the
    8-bit image through a straight-through rounding, so a perturbation
    counted as successful stays successful once exported. Each iteration is one
    Adam step of every (image, c) row still running, in one batch; at most
    ``ceil(binary_search_steps / parallel_constants) * steps`` iterations.
    ``gradient_evaluations`` counts every row's gradient: the rows
    differentiated over N, rounded up (at most ``binary_search_steps * steps``).
    ``Step`` reports, per image, its first running row (the paper's own next c
    while it runs). Minimal-norm attack: read the L2 norm of the result; images
    never fooled come back unchanged.
    """

    name = "cw"
    title = "C&W L2"
    paper = "Carlini and Wagner 2017, Towards Evaluating the Robustness of Neural Networks, arXiv:1608.04644"
    minimal = True
    iteration_parameters = ("binary_search_steps", "steps")
    PAPER = {
        "binary_search_steps": 9,
        "steps": 10000,
        "learning_rate": 0.01,
        "initial_const": 1e-3,
        "abort_window": 1000,
    }

    binary_search_steps: int = param(
        4, "values of c tried per image, the search over c (paper: 9)", minimum=1, maximum=100
    )
    steps: int = param(100, "Adam steps per value of c (paper: 10000, with early abort)", minimum=1, maximum=100000)
    learning_rate: float = param(
        0.0,
        "Adam learning rate in tanh space; 0: 2 / sqrt(C*H*W), the same L2 step at every image size (paper: 0.01)",
        minimum=0.0,
        maximum=10.0,
        zero="auto",
    )
    initial_const: float = param(
        0.1, "first value of the trade-off constant c (paper: 1e-3)", minimum=0.0, maximum=1e10
    )
    confidence: float = param(0.0, "kappa: logit margin required beyond the boundary", minimum=0.0, maximum=1000.0)
    abort_early: bool = param(
        True,
        "stop a value of c once its loss falls by less than 0.01 % in abort_window "
        "steps, and the search once its bound is tight or a round gains nothing",
    )
    abort_window: int = param(
        10, "steps of the early-abort check (paper's code: steps / 10)", minimum=1, maximum=100000
    )
    parallel_constants: int = param(
        1,
        "values of c tried at once per image, in one batch (1: the paper's binary "
        "search; more pays on an accelerator, each costs its gradients)",
        minimum=1,
        maximum=100,
    )

    def planned_cost(self, shape):
        return self.binary_search_steps * self.steps, 0

    def rounds(self) -> int:
        """Batches of values of c: the search's sequential steps."""
        return math.ceil(self.binary_search_steps / self.parallel_constants)

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None):
        x = x.detach()
        n = x.shape[0]
        w0 = torch.atanh((x * 2 - 1).clamp(-1 + 1e-6, 1 - 1e-6))
        lower = torch.zeros(n, device=x.device)
        upper = torch.full((n,), 1e10, device=x.device)
        best_l2 = torch.full((n,), float("inf"), device=x.device)
        best_adv = x.clone()
        shown = None  # per image: -loss, logits and iterate of its row shown
        total = self.rounds() * self.steps
        tried, iterations, rows_differentiated, cancelled = 0, 0, 0, False
        searching = torch.ones(n, dtype=torch.bool, device=x.device)
        while tried < self.binary_search_steps and searching.any() and not cancelled:
            count = min(self.parallel_constants, self.binary_search_steps - tried)
            images = searching.nonzero().squeeze(1)
            consts = torch.tensor(
                [
                    c
                    for k in images.tolist()
                    for c in constants_for(
                        self.initial_const if tried == 0 else next_const(float(lower[k]), float(upper[k])),
                        float(lower[k]),
                        float(upper[k]),
                        count,
                    )
                ],
                device=x.device,
            )
            owner = images.repeat_interleave(count)
            fooled = torch.zeros_like(consts, dtype=torch.bool)
            before = best_l2.clone()
            for report in self._descend(model, x, y, target, w0, owner, consts, should_stop):
                if report is None:
                    cancelled = True
                    break
                rows, x_q, logits, loss, success = report
                iterations += 1
                rows_differentiated += len(rows)
                with torch.no_grad():
                    fooled[rows] |= success
                    l2 = (x_q - x[owner[rows]]).flatten(1).norm(dim=1)
                    for r in (success & (l2 < best_l2[owner[rows]])).nonzero().squeeze(1).tolist():
                        k = int(owner[rows[r]])
                        if l2[r] < best_l2[k]:
                            best_l2[k], best_adv[k] = l2[r], x_q[r]
                    if on_step is not None:
                        shown = _show(shown, owner[rows], -loss, logits, x_q, x)
                        on_step(
                            Step(
                                iterations,
                                total,
                                shown[0].clone(),
                                shown[1].softmax(1),
                                shown[2].clone(),
                                best_l2 < float("inf"),
                            )
                        )
            tried += count
            with torch.no_grad():
                success_c = torch.where(fooled, consts, torch.full_like(consts, float("inf")))
                failure_c = torch.where(fooled, torch.zeros_like(consts), consts)
                upper.scatter_reduce_(0, owner, success_c, reduce="amin")
                failure_c = torch.where(failure_c < upper[owner], failure_c, torch.zeros_like(failure_c))
                lower.scatter_reduce_(0, owner, failure_c, reduce="amax")
                if self.abort_early:
                    searching &= ~((upper <= NO_SUCCESS) & (upper <= TIGHT * lower))
                    every = torch.ones(n, dtype=torch.bool, device=x.device).scatter_reduce(
                        0, owner, fooled, reduce="amin"
                    )
                    searching &= ~(every & (best_l2 > (1 - GAIN) * before))
        return finalize(
            model,
            x,
            best_adv,
            y,
            target,
            iterations=iterations,
            gradient_evaluations=-(-rows_differentiated // n),
            loss="margin",
            cancelled=cancelled,
        )

    def _descend(self, model, x, y, target, w0, owner, consts, should_stop):
        """Adam on the rows (one image, one c each); yields per step the running rows and, for them,
        the 8-bit iterates, logits, losses and successes; None when ``should_stop()`` cancels."""
        rate = self.learning_rate or AUTO_RATE / math.sqrt(x[0].numel())
        modifier = torch.zeros_like(w0[owner])
        moment, second = torch.zeros_like(modifier), torch.zeros_like(modifier)
        running = torch.arange(len(owner), device=x.device)
        previous = torch.full((len(owner),), float("inf"), device=x.device)
        for step in range(1, self.steps + 1):
            if should_stop is not None and should_stop():
                yield None
                return
            img = owner[running]
            m = modifier[running].requires_grad_(True)
            x_new = (torch.tanh(w0[img] + m) + 1) / 2
            x_q = straight_through_quantize(x_new)
            logits = model(x_q)
            gap = margin(logits, y[img], None if target is None else target[img])  # > 0: fooled
            loss = (x_new - x[img]).flatten(1).pow(2).sum(1) + consts[running] * (self.confidence - gap).clamp_min(0)
            (grad,) = torch.autograd.grad(loss.sum(), m)
            with torch.no_grad():
                modifier[running], moment[running], second[running] = adam(
                    m.detach(), grad, moment[running], second[running], step, rate
                )
                success = gap >= self.confidence if self.confidence > 0 else gap > 0
            yield running, x_q.detach(), logits.detach(), loss.detach(), success
            if self.abort_early and step % self.abort_window == 0:
                stalled = loss.detach() > previous[running] * 0.9999
                previous[running] = loss.detach()
                running = running[~stalled]
                if running.numel() == 0:
                    return


def adam(param, grad, moment, second, step: int, rate: float):
    """One Adam step (Kingma and Ba 2015, arXiv:1412.6980, as torch.optim.Adam computes it) of
    tensors of one shape: the new parameters, first and second moments; ``step`` counts from 1."""
    moment = BETAS[0] * moment + (1 - BETAS[0]) * grad
    second = BETAS[1] * second + (1 - BETAS[1]) * grad * grad
    denominator = second.sqrt() / math.sqrt(1 - BETAS[1] ** step) + ADAM_EPS
    return param - rate / (1 - BETAS[0] ** step) * moment / denominator, moment, second


def _show(shown, images, loss, logits, x_q, x):
    """Per image (N,): the -loss, logits and 8-bit iterate of its first row this step.

    ``images`` (r,) are the rows' images, ascending; images without a row keep what ``shown``
    had (None: the first step, where every image has one).
    """
    if shown is None:
        shown = (
            torch.zeros(x.shape[0], device=x.device),
            torch.zeros(x.shape[0], logits.shape[1], device=x.device),
            x.clone(),
        )
    first = torch.ones_like(images, dtype=torch.bool)
    first[1:] = images[1:] != images[:-1]
    k = images[first]
    return tuple(old.index_copy(0, k, new[first]) for old, new in zip(shown, (loss, logits, x_q), strict=True))
