"""DeepFool: the minimal L2 perturbation to the nearest linearised decision boundary.

Moosavi-Dezfooli, Fawzi and Frossard 2016, "DeepFool: a simple and accurate
method to fool deep neural networks", CVPR, arXiv:1511.04599.

At each iteration the classifier is linearised around the current point; for
every candidate class k the distance to its boundary is
|f_k - f_y| / ||w_k - w_y||_2 (f the logits, w their input gradients); the
step goes exactly to the nearest one. The total perturbation is scaled by
(1 + overshoot). Candidates are the true class and the top classes of the
original image (the paper uses 10 on ImageNet).

The iterates are in float, as in the paper. Only once an iterate fools the
model is its 8-bit export looked for (a perturbation of a fraction of a grey
level per value mostly rounds away): in two batched forward passes over
candidate roundings of it (:func:`export_levels`), keeping the smallest in L2
that still fools; where none does, the iterations go on. (Linearising at the
8-bit iterate itself, as we did before, reached a 5-10 % smaller L2 on
224x224 photos, but the rounding undid most steps: it took up to three times
the iterations.)
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.attacks.base import Attack, Step, finalize, register
from inspector.core.io.image import quantize
from inspector.core.util.metrics import is_success
from inspector.core.util.params import param

#: For the 8-bit export (see :func:`export_levels`): scales of the float perturbation tried first,
#: then ``FINE_STEPS`` geometric steps between the largest that fails and the smallest that fools
#: (5 % apart); and thresholds, in grey levels, beyond which a fraction of a level rounds away from zero.
COARSE_SCALES = tuple(1.25**k for k in range(7))
FINE_STEPS = 4
EXPORT_THRESHOLDS = (0.4, 0.3, 0.2, 0.1)


def candidate_classes(logits: torch.Tensor, y: torch.Tensor, target: torch.Tensor | None, count: int) -> torch.Tensor:
    """(N, 1 + m) class indices: column 0 is y, then the target, or the top ``count - 1`` other classes."""
    if target is not None:
        return torch.stack([y, target], dim=1)
    others = logits.scatter(1, y[:, None], float("-inf")).topk(max(count - 1, 1), dim=1).indices
    return torch.cat([y[:, None], others], dim=1)


@register
@dataclass
class DeepFool(Attack):
    """DeepFool, L2 (Moosavi-Dezfooli et al. 2016, arXiv:1511.04599).

    Shapes: x (N, C, H, W) in [0, 1], y and target (N,). Targeted: only the
    target's boundary is considered. Each iteration costs one forward pass and
    ``candidates - 1`` input gradients for the images not yet fooled, plus, for
    an iterate that fools the model, forward passes of 11 and 4 candidate
    roundings (its 8-bit export). ``Step`` reports the float iterate of an image
    still searching and the 8-bit export of one found. Minimal-norm attack:
    read the L2 norm of the result; images never fooled come back unchanged.
    """

    name = "deepfool"
    title = "DeepFool"
    paper = (
        "Moosavi-Dezfooli, Fawzi and Frossard 2016, DeepFool: a simple and accurate method to fool "
        "deep neural networks, arXiv:1511.04599"
    )
    minimal = True
    iteration_parameters = ("steps",)

    steps: int = param(50, "maximum number of iterations", minimum=1, maximum=10000)
    overshoot: float = param(0.02, "the total perturbation is scaled by 1 + overshoot", minimum=0.0, maximum=10.0)
    candidates: int = param(
        10, "classes considered: the true class and the top others (paper: 10)", minimum=2, maximum=1000
    )

    def planned_cost(self, shape):
        return self.steps * (self.candidates - 1), 0

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None):
        x = x.detach()
        n = x.shape[0]
        with torch.no_grad():
            logits = model(x)
        classes = candidate_classes(logits, y, target, self.candidates)
        r_total = torch.zeros_like(x)
        x_adv = x.clone()  # the 8-bit export once found, else x
        shown = [x.clone(), logits.softmax(1), _margin(logits, classes)]  # what Step reports per image
        found = torch.zeros(n, dtype=torch.bool, device=x.device)
        active = torch.ones(n, dtype=torch.bool, device=x.device)
        iterations, gradients, cancelled = 0, 0, False
        for i in range(self.steps + 1):
            idx = active.nonzero().squeeze(1)
            xa = (x[idx] + (1 + self.overshoot) * r_total[idx]).clamp(0.0, 1.0).requires_grad_(True)
            logits = model(xa)
            z = logits.gather(1, classes[idx])
            with torch.no_grad():
                shown[0][idx], shown[1][idx] = xa.detach(), logits.softmax(1)
                shown[2][idx] = _margin(logits, classes[idx])
                fools = idx[is_success(logits, y[idx], None if target is None else target[idx])]
                if fools.numel():
                    exported, export_logits, ok = self._export(
                        model,
                        x[fools],
                        xa.detach()[torch.isin(idx, fools)],
                        y[fools],
                        None if target is None else target[fools],
                    )
                    done = fools[ok]
                    x_adv[done], found[done], active[done] = exported[ok], True, False
                    shown[0][done], shown[1][done] = exported[ok], export_logits[ok].softmax(1)
                    shown[2][done] = _margin(export_logits[ok], classes[done])
            if on_step is not None and i > 0:
                on_step(Step(i, self.steps, shown[2].clone(), shown[1].clone(), shown[0].clone(), found.clone()))
            if not active.any() or i == self.steps:
                break
            if should_stop is not None and should_stop():  # checked before the next linearisation
                cancelled = True
                break
            keep = active[idx]
            iterations = i + 1
            grads = []
            for k in range(1, z.shape[1]):  # w_k = grad (z_k - z_y)
                (g,) = torch.autograd.grad((z[:, k] - z[:, 0]).sum(), xa, retain_graph=k + 1 < z.shape[1])
                grads.append(g[keep])
            gradients += z.shape[1] - 1
            with torch.no_grad():
                w = torch.stack(grads, 1)  # (n, m, C, H, W)
                f = (z[keep, 1:] - z[keep, :1]).detach()  # (n, m)
                w_norm = w.flatten(2).norm(dim=2).clamp_min(1e-12)
                nearest = (f.abs() / w_norm).argmin(1)
                rows = torch.arange(w.shape[0], device=x.device)
                scale = (f[rows, nearest].abs() + 1e-4) / w_norm[rows, nearest] ** 2
                r_total[idx[keep]] += scale.view(-1, 1, 1, 1) * w[rows, nearest]
        return finalize(
            model,
            x,
            x_adv,
            y,
            target,
            iterations=iterations,
            gradient_evaluations=gradients,
            loss="margin",
            cancelled=cancelled,
        )

    @staticmethod
    def _export(model, x, x_float, y, target):
        """The 8-bit export of fooling float iterates (m, C, H, W): the smallest in L2 that still fools
        of the candidates of :func:`export_levels`, tried in two batches (the second between the
        largest coarse scale that fails and the smallest that fools). Returns the exports, their
        logits and which images have one (m,)."""
        base = quantize(x)
        grey = (x_float - base) * 255  # the perturbation in grey levels
        m, rows = x.shape[0], torch.arange(x.shape[0], device=x.device)
        best = torch.full((m,), float("inf"), device=x.device)
        out, out_logits = base.clone(), None
        coarse = torch.tensor(COARSE_SCALES, device=x.device)
        scales = coarse.expand(m, -1)
        for fine in (False, True):
            tries = (base + export_levels(grey, scales, () if fine else EXPORT_THRESHOLDS) / 255).clamp(0.0, 1.0)
            count = tries.shape[0]
            logits = model(tries.flatten(0, 1)).view(count, m, -1)
            fooled = is_success(
                logits.flatten(0, 1), y.repeat(count), None if target is None else target.repeat(count)
            ).view(count, m)
            l2 = (tries - base).flatten(2).norm(dim=2).masked_fill(~fooled, float("inf"))  # (count, m)
            low, pick = l2.min(0)
            better = low < best
            best = torch.where(better, low, best)
            out[better] = tries[pick, rows][better]
            out_logits = (
                logits[pick, rows]
                if out_logits is None
                else torch.where(better[:, None], logits[pick, rows], out_logits)
            )
            by_scale = fooled[: len(COARSE_SCALES)]
            if fine or not by_scale.any():
                break
            top = coarse[torch.where(by_scale.any(0), by_scale.float().argmax(0), 0)]  # the smallest scale that fools
            steps = torch.arange(1, FINE_STEPS + 1, device=x.device) / (FINE_STEPS + 1)
            scales = (top / COARSE_SCALES[1])[:, None] * (COARSE_SCALES[1] ** steps)[None, :]
        return out, out_logits, best.isfinite()


def export_levels(grey: torch.Tensor, scales: torch.Tensor, thresholds) -> torch.Tensor:
    """Candidate 8-bit perturbations in grey levels, (S + T, m, C, H, W), of ``grey`` (m, C, H, W):
    for each of the ``scales`` (m, S) the scaled perturbation rounded to the nearest level, then for
    each of the ``thresholds`` the perturbation with every fraction of a level beyond it rounded away
    from zero (a threshold of 0.5 is plain rounding)."""
    scaled = (scales.T[:, :, None, None, None] * grey).round()
    away = [grey.sign() * (grey.abs() + 1 - t).floor() for t in thresholds]
    return torch.cat([scaled, *(a[None] for a in away)])


def _margin(logits: torch.Tensor, classes: torch.Tensor) -> torch.Tensor:
    """(n,) the largest candidate logit minus the true class's: DeepFool's objective, > 0 when fooled."""
    z = logits.gather(1, classes)
    return z[:, 1:].amax(1) - z[:, 0]
