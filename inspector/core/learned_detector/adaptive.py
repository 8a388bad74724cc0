"""The adaptive attack on a classifier and its learned detector together.

Carlini and Wagner 2017, "Adversarial Examples Are Not Easily Detected: Bypassing Ten Detection
Methods", AISec, arXiv:1705.07263, section 4 (Metzen et al.'s detector among the ten): a detector
that is a differentiable network is attacked with gradients through the classifier and the
detector at once. Here that is Linf PGD (Madry et al. 2018, arXiv:1706.06083) on a loss that
switches per image, as Tramer, Carlini, Brendel and Madry 2020 (arXiv:2002.08347) advise for
attacks on detectors::

    loss(x) = [f(x) still right] * CE(f(x), y)  -  [d(x) > threshold - margin] * d(x)

so each step pushes an image across the classifier's boundary while it is not, and down the
detector's logit d while it is flagged; the two gradients are scaled to the same L2 norm per image
before the sign step, so neither drowns the other. It starts from the image itself. The iterate kept
is the last one, at 8 bits, that fools the classifier and passes the detector; where none did, the last one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn.functional import cross_entropy

from inspector.core.attacks.base import AttackResult, finalize
from inspector.core.io.image import quantize

#: How far below the threshold (in logit units) the detector's logit is pushed before the term stops.
MARGIN = 1.0


@dataclass
class DetectorAwarePGD:
    """Linf PGD against ``classifier`` and the detector ``logits`` (x -> (N,) differentiable) together.

    ``run(model, x, y)`` takes x (N, C, H, W) in [0, 1] and labels y (N,), and returns an
    :class:`~inspector.core.attacks.base.AttackResult` whose ``success`` is the classifier's alone
    (that the detector is passed is measured by its caller). ``steps`` gradient evaluations of
    the classifier and the detector (two backward passes each); deterministic.
    """

    logits: Callable[[torch.Tensor], torch.Tensor]
    threshold: float
    eps: float
    steps: int = 40
    step_size: float | None = None

    def run(self, model, x, y, *, target=None, on_step=None, should_stop=None) -> AttackResult:
        alpha = self.step_size if self.step_size is not None else 2.5 * self.eps / self.steps
        x = x.detach()
        x_adv = x.clone()  # no random start: uniform noise in the ball is what an FGSM detector flags
        best, kept = x_adv.clone(), torch.zeros(len(x), dtype=torch.bool, device=x.device)
        for _ in range(self.steps):
            if should_stop is not None and should_stop():
                return finalize(model, x, best, y, None, linf_bound=self.eps, iterations=0, cancelled=True)
            x_adv.requires_grad_(True)
            out, d = model(x_adv), self.logits(x_adv)
            right = (out.argmax(1) == y).float().view(-1, 1, 1, 1)
            flagged = (d > self.threshold - MARGIN).float().view(-1, 1, 1, 1)
            (g_class,) = torch.autograd.grad(cross_entropy(out, y, reduction="sum"), x_adv)
            (g_detect,) = torch.autograd.grad(d.sum(), x_adv)
            grad = right * _unit(g_class) - flagged * _unit(g_detect)  # each term counts alike, whatever its scale
            with torch.no_grad():
                x_adv = (x + (x_adv + alpha * grad.sign() - x).clamp(-self.eps, self.eps)).clamp(0, 1)
                q = quantize(x_adv)
                passed = (model(q).argmax(1) != y) & (self.logits(q) <= self.threshold)
                kept |= passed
                update = passed | ~kept  # a passing iterate, or the latest where none has passed yet
                best[update] = x_adv[update]
        return finalize(
            model, x, best, y, None, linf_bound=self.eps, iterations=self.steps, gradient_evaluations=self.steps
        )


def _unit(g: torch.Tensor) -> torch.Tensor:
    """Each image's gradient (N, C, H, W) scaled to L2 norm 1 (0 stays 0)."""
    return g / g.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, 1, 1, 1)
