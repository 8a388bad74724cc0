"""FAB-T: the targeted Fast Adaptive Boundary attack, Linf, one round per likely other class.

Croce and Hein 2020, "Minimally distorted adversarial examples with a fast adaptive boundary
attack", ICML, arXiv:1907.02044; targeted over the most likely classes as in AutoAttack
(arXiv:2003.01690).

Each iteration linearises g(z) = z_t(z) - z_y(z) at the iterate x_k and projects, in Linf and
within the [0, 1] box, both x_k and the original x onto the hyperplane g(x_k) + w.(z - x_k) = 0
(w the input gradient of g), giving steps d_k and d_0. The next iterate is the box clip of

    (1 - a) (x_k + eta d_k) + a (x + eta d_0),   a = min(|d_k| / (|d_k| + |d_0|), a_max)

(eta = 1.05 overshoots the boundary, a_max = 0.1 biases toward the original). Once the iterate
is adversarial it is pulled back toward x, x_{k+1} = x + beta (x_{k+1} - x) with beta = 0.9, and
the smallest adversarial so far is kept. Here the model judges the 8-bit rounding of each
iterate, so the adversarial kept survives export.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.attacks.apgd_t import MAX_TARGETS
from inspector.core.attacks.base import Attack, Step, budget_param, finalize, register, straight_through_quantize
from inspector.core.attacks.rounds import Rounds, check_targets
from inspector.core.io.image import quantize
from inspector.core.util.metrics import is_success
from inspector.core.util.params import param


def linf_step_to_hyperplane(w: torch.Tensor, c: torch.Tensor, low: torch.Tensor, high: torch.Tensor) -> torch.Tensor:
    """The step d of smallest Linf norm with w.d = c and low <= d <= high, per row.

    Shapes: w, low, high (N, D) with low <= 0 <= high (the room left in the box), c (N,).
    With s = sign(c), the best step moves each coordinate by s sign(w_i) min(t, room_i), room_i
    the box's room in that direction, and the smallest t with sum_i |w_i| min(t, room_i) = |c|
    is found exactly on the sorted rooms. Where the box cannot reach the hyperplane, the step
    goes as far as the box allows. Returns d (N, D).
    """
    direction = torch.where(c[:, None] >= 0, w, -w)
    room = torch.where(direction > 0, high, -low).clamp_min(0.0)
    weight = direction.abs()
    rooms, order = room.sort(dim=1)
    weights = weight.gather(1, order)
    reached_below = (weights * rooms).cumsum(1) - weights * rooms  # sum over smaller rooms of |w| room
    weight_above = weights.flip(1).cumsum(1).flip(1)  # sum over this and larger rooms of |w|
    reach = reached_below + rooms * weight_above  # how far w.d gets at t = each room
    need = c.abs()[:, None]
    enough = reach >= need
    k = enough.float().argmax(1, keepdim=True)
    t = ((need - reached_below.gather(1, k)) / weight_above.gather(1, k).clamp_min(1e-30)).squeeze(1)
    t = torch.where(enough.any(1), t, rooms[:, -1])
    return direction.sign() * torch.minimum(room, t[:, None])


@register
@dataclass
class FABT(Attack):
    """FAB-T, Linf (Croce and Hein 2020, arXiv:1907.02044), over the most likely other classes.

    Shapes: x (N, C, H, W) in [0, 1] on the 8-bit grid, y (N,). Up to ``targets`` rounds (target
    t: the k-th most likely class of the clean image after y) of ``steps`` iterations, one input
    gradient each; a round runs only on the images not yet fooled within ``eps`` and ends once
    each of them is. Any misclassification counts; with a ``target`` (N,), one round toward it, and
    only reaching it counts. Returns, per image, the smallest adversarial
    found if its Linf is within ``eps``, else the last attempt clipped to the ``eps`` ball (one
    restart, from x, as AutoAttack runs it; no random restarts).

    Raises:
        ParameterError: ``targets`` not below the model's number of classes.
    """

    name = "fab-t"
    title = "FAB-T"
    paper = (
        "Croce and Hein 2020, Minimally distorted adversarial examples with a fast adaptive boundary attack, "
        "arXiv:1907.02044"
    )
    budget_parameter = "eps"
    iteration_parameters = ("steps",)

    eps: float = budget_param(4 / 255)
    steps: int = param(100, "iterations per target class (paper: 100)", minimum=1, maximum=100000)
    norm: str = param("linf", "distance: linf only here", choices=("linf",))
    targets: int = param(
        9, "most likely other classes tried as targets, in turn (paper: 9)", minimum=1, maximum=MAX_TARGETS
    )
    alpha_max: float = param(0.1, "largest weight of the step from the original image", minimum=0.0, maximum=1.0)
    eta: float = param(1.05, "overshoot of the projection onto the boundary", minimum=1.0, maximum=10.0)
    beta: float = param(0.9, "pull back toward the original once adversarial", minimum=0.0, maximum=1.0)

    def check_model(self, model):
        """:meth:`Attack.check_model`, and ``targets`` below the model's classes (:func:`check_targets`)."""
        super().check_model(model)
        check_targets(self, model)

    def planned_cost(self, shape):
        return self.targets * self.steps, 0

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None):
        x = x.detach()
        rounds = Rounds(model, x, y, self.targets * self.steps, on_step)
        pulls = rounds.target_classes(self.targets) if target is None else target[:, None]
        gradients, cancelled = 0, False
        for k in range(pulls.shape[1]):
            rows = rounds.pending()
            if rows.numel() == 0:
                break
            x_round, done, cancelled = self._round(
                model,
                x[rows],
                y[rows],
                pulls[rows, k],
                None if target is None else target[rows],
                rounds.reporter(rows),
                should_stop,
            )
            gradients += done
            rounds.absorb(rows, finalize(model, x[rows], x_round, y[rows], None, linf_bound=self.eps, iterations=done))
            if cancelled:
                break
        return finalize(
            model,
            x,
            rounds.x_adv,
            y,
            target,
            linf_bound=self.eps,
            iterations=rounds.iterations,
            gradient_evaluations=gradients,
            loss="logit difference",
            cancelled=cancelled,
        )

    def _round(self, model, x, y, pull, goal, on_step, should_stop) -> tuple[torch.Tensor, int, bool]:
        """Toward one class ``pull`` (M,) per image, success any other class than y (``goal`` None) or
        ``goal``: (the round's output (M, C, H, W), iterations run, cancelled)."""
        n, view = x.shape[0], (-1, 1, 1, 1)
        x_k, best = x.clone(), x.clone()
        best_norm = torch.full((n,), float("inf"), device=x.device)
        for i in range(self.steps):
            if should_stop is not None and should_stop():
                return self._output(x, x_k, best, best_norm), i, True
            point = x_k.detach().requires_grad_(True)
            logits = model(straight_through_quantize(point))
            gap = logits.gather(1, pull[:, None]).squeeze(1) - logits.gather(1, y[:, None]).squeeze(1)
            (w,) = torch.autograd.grad(gap.sum(), point)
            with torch.no_grad():
                w, g = w.flatten(1), gap.detach()
                low, high = -x.flatten(1), 1 - x.flatten(1)
                from_k = x_k.flatten(1)
                moved_k = from_k - x.flatten(1)
                # both projections in one batch: from x_k (its box room shifted by x_k - x) and from x
                d_k, d_0 = linf_step_to_hyperplane(
                    torch.cat((w, w)),
                    torch.cat((-g, -g + (w * moved_k).sum(1))),
                    torch.cat((low - moved_k, low)),
                    torch.cat((high - moved_k, high)),
                ).split(n)
                a_k = d_k.abs().amax(1).clamp_min(1e-8)
                a_0 = d_0.abs().amax(1).clamp_min(1e-8)
                alpha = (a_k / (a_k + a_0)).clamp(0.0, self.alpha_max)[:, None]
                moved = (1 - alpha) * (from_k + self.eta * d_k) + alpha * (x.flatten(1) + self.eta * d_0)
                x_new = moved.view_as(x).clamp(0.0, 1.0)
                seen = quantize(x_new)
                logits_new = model(seen)
                success = is_success(logits_new, y, goal)
                norm = (seen - x).flatten(1).abs().amax(1)
                better = success & (norm < best_norm)
                best[better], best_norm[better] = seen[better], norm[better]
                if on_step is not None:
                    loss = logits_new.gather(1, pull[:, None]).squeeze(1) - logits_new.gather(1, y[:, None]).squeeze(1)
                    on_step(Step(i + 1, self.steps, loss, logits_new.softmax(1), x_new, success))
                x_k = torch.where(success.view(view), x + self.beta * (x_new - x), x_new)
                if (best_norm <= self.eps).all():
                    return self._output(x, x_k, best, best_norm), i + 1, False
        return self._output(x, x_k, best, best_norm), self.steps, False

    def _output(self, x, x_k, best, best_norm) -> torch.Tensor:
        """The smallest adversarial where it is within eps, else the attempt (it, or the last iterate) clipped to eps."""
        attempt = torch.where(torch.isfinite(best_norm).view(-1, 1, 1, 1), best, x_k)
        clipped = x + (attempt - x).clamp(-self.eps, self.eps)
        return torch.where((best_norm <= self.eps).view(-1, 1, 1, 1), best, clipped)
