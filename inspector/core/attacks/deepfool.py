"""DeepFool: the minimal L2 perturbation to the nearest linearised decision boundary.

Moosavi-Dezfooli, Fawzi and Frossard 2016, "DeepFool: a simple and accurate
method to fool deep neural networks", CVPR, arXiv:1511.04599.

At each iteration the classifier is linearised around the current point; for
every candidate class k the distance to its boundary is
|f_k - f_y| / ||w_k - w_y||_2 (f the logits, w their input gradients); the
step goes exactly to the nearest one. The total perturbation is scaled by
(1 + overshoot). Candidates are the true class and the top classes of the
original image (the paper uses 10 on ImageNet).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.attacks.base import Attack, Step, finalize, register
from inspector.core.image import quantize
from inspector.core.metrics import is_success
from inspector.core.params import param


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
    ``candidates - 1`` input gradients for the images not yet fooled; success
    is judged on the 8-bit iterate, so the reported norm is that of the
    exported image. Minimal-norm attack: read the L2 norm of the result.
    """

    name = "deepfool"
    title = "DeepFool"
    paper = ("Moosavi-Dezfooli, Fawzi and Frossard 2016, DeepFool: a simple and accurate method to fool "
             "deep neural networks, arXiv:1511.04599")
    minimal = True

    steps: int = param(50, "maximum number of iterations", minimum=1, maximum=10000)
    overshoot: float = param(0.02, "the total perturbation is scaled by 1 + overshoot", minimum=0.0, maximum=10.0)
    candidates: int = param(10, "classes considered: the true class and the top others (paper: 10)",
                            minimum=2, maximum=1000)

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None):
        x = x.detach()
        with torch.no_grad():
            classes = candidate_classes(model(x), y, target, self.candidates)
        r_total = torch.zeros_like(x)
        x_adv = x.clone()
        active = torch.ones(x.shape[0], dtype=torch.bool, device=x.device)
        iterations, gradients, cancelled = 0, 0, False
        for i in range(self.steps + 1):
            idx = active.nonzero().squeeze(1)
            xa = quantize(x[idx] + (1 + self.overshoot) * r_total[idx]).requires_grad_(True)
            logits = model(xa)
            success = is_success(logits, y[idx], None if target is None else target[idx])
            x_adv[idx] = xa.detach()
            z = logits.gather(1, classes[idx])
            probs = logits.detach().softmax(1) if i == 0 else probs.index_copy(0, idx, logits.detach().softmax(1))
            margin = (z[:, 1:].amax(1) - z[:, 0]).detach()
            loss = margin if i == 0 else loss.index_copy(0, idx, margin)
            if on_step is not None and i > 0:
                done = ~active
                done[idx] = success
                on_step(Step(i, self.steps, loss, probs, x_adv.clone(), done))
            active[idx[success]] = False
            if not active.any() or i == self.steps:
                break
            if should_stop is not None and should_stop():     # checked before the next linearisation
                cancelled = True
                break
            keep = ~success
            iterations = i + 1
            grads = []
            for k in range(1, z.shape[1]):                                  # w_k = grad (z_k - z_y)
                (g,) = torch.autograd.grad((z[:, k] - z[:, 0]).sum(), xa, retain_graph=k + 1 < z.shape[1])
                grads.append(g[keep])
            gradients += z.shape[1] - 1
            with torch.no_grad():
                w = torch.stack(grads, 1)                                   # (n, m, C, H, W)
                f = (z[keep, 1:] - z[keep, :1]).detach()                   # (n, m)
                w_norm = w.flatten(2).norm(dim=2).clamp_min(1e-12)
                nearest = (f.abs() / w_norm).argmin(1)
                rows = torch.arange(w.shape[0], device=x.device)
                scale = (f[rows, nearest].abs() + 1e-4) / w_norm[rows, nearest] ** 2
                r_total[idx[keep]] += scale.view(-1, 1, 1, 1) * w[rows, nearest]
        return finalize(model, x, x_adv, y, target, iterations=iterations, gradient_evaluations=gradients,
                        loss="margin", cancelled=cancelled)
