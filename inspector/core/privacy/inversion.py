"""MI-Face model inversion (Fredrikson, Jha and Ristenpart 2015, "Model Inversion Attacks that Exploit
Confidence Information and Basic Countermeasures", ACM CCS, doi:10.1145/2810103.2813677).

Reconstruct what a class looks like from the model alone, by gradient descent
on the cost c(x) = 1 - p_class(x) (p the softmax probability) from a grey image:

    x_0 = grey;  x_i = clip(x_{i-1} - lambda * grad c(x_{i-1}), 0, 1)
    stop when i = alpha (max_iterations), when c(x_i) >= max(c(x_{i-1}), ..., c(x_{i-beta}))
    (no improvement over the last beta = patience steps), or when c(x_i) <= gamma (cost_threshold);
    return the x_i of lowest cost.

The paper's Process step (a denoiser, for its DAE variant) is the identity here;
clipping keeps pixels in [0, 1]. All classes run as one batch, each image with
its own stopping rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import nn

from inspector.core.util.bounds import MAX_COUNT, check_count, check_real
from inspector.core.util.params import Configurable, param


@dataclass
class InversionStep:
    """One iteration: ``iteration`` (1-based), ``cost`` (K,) of the current images, ``active`` (K,) bool."""

    iteration: int
    cost: torch.Tensor
    active: torch.Tensor


@dataclass
class Inversion:
    """What :meth:`MIFace.run` made, per class: ``images`` (K, C, H, W) in [0, 1] (the lowest-cost iterate),
    ``cost`` (K,) their cost 1 - p_class, ``iterations`` (K,) long, ``stopped`` (bool: cancelled)."""

    classes: torch.Tensor
    images: torch.Tensor
    cost: torch.Tensor
    iterations: torch.Tensor
    stopped: bool


@dataclass
class MIFace(Configurable):
    """MI-Face (Fredrikson et al. 2015) with the paper's lambda = 0.1 and beta = 100.

    Attributes:
        step_size: lambda, the gradient step in [0, 1] pixel units per unit of gradient.
        max_iterations: alpha, the most iterations per image.
        patience: beta, the window of the no-improvement rule.
        cost_threshold: gamma, stop once the cost 1 - p_class is at most this.
        start: the grey level of the start image, in [0, 1].
    """

    name: ClassVar[str] = "mi-face"

    step_size: float = param(0.1, "lambda: the gradient step, in [0, 1] pixel units per unit of gradient", minimum=1e-4)
    max_iterations: int = param(
        1000,
        "alpha: the most gradient steps per class (it also stops after patience steps without improvement)",
        minimum=1,
        maximum=MAX_COUNT,
    )
    patience: int = param(100, "beta: stop after this many steps without a lower cost", minimum=1, maximum=MAX_COUNT)
    cost_threshold: float = param(0.001, "gamma: stop once the cost 1 - p(class) is at most this", minimum=0, maximum=1)
    start: float = param(0.5, "the grey level of the start image, in [0, 1]", minimum=0, maximum=1)

    def check(self) -> None:
        """Raises ParameterError, naming the setting: iterations or patience outside 1..MAX_COUNT (the
        no-improvement window is allocated up front), a step size that is not finite and above 0, a cost
        threshold or start grey level outside [0, 1]."""
        check_count(self.max_iterations, "MI-Face max iterations")
        check_count(self.patience, "MI-Face patience")
        check_real(self.step_size, "MI-Face step size", above=0)
        check_real(self.cost_threshold, "MI-Face cost threshold", minimum=0, maximum=1)
        check_real(self.start, "MI-Face start grey level", minimum=0, maximum=1)

    def run(
        self,
        model: nn.Module,
        classes: torch.Tensor,
        shape: tuple[int, int, int],
        *,
        on_step: Callable[[InversionStep], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> Inversion:
        """One reconstruction per class in ``classes`` (K,) long, of image ``shape`` (C, H, W).

        ``model`` maps (K, C, H, W) in [0, 1] to logits; it is used in eval mode.

        Raises:
            ParameterError: a setting out of range (:meth:`check`).
        """
        self.check()
        k = len(classes)
        x = torch.full((k, *shape), float(self.start))
        best, best_cost = x.clone(), torch.full((k,), float("inf"))
        history = torch.full((k, self.patience), float("inf"))
        active = torch.ones(k, dtype=torch.bool)
        iterations = torch.zeros(k, dtype=torch.long)
        rows = torch.arange(k)
        stopped = False
        for i in range(1, self.max_iterations + 1):
            if should_stop is not None and should_stop():
                stopped = True
                break
            x_var = x.detach().requires_grad_(True)
            cost = 1 - model(x_var).softmax(1)[rows, classes]
            (grad,) = torch.autograd.grad(cost.sum(), x_var)
            cost = cost.detach()
            improved = active & (cost < best_cost)
            best[improved], best_cost[improved] = x[improved], cost[improved]
            no_gain = cost >= history.max(1).values
            active &= ~(no_gain | (cost <= self.cost_threshold))
            history = torch.cat([history[:, 1:], cost[:, None]], 1)
            iterations += active.long()
            x = torch.where(active[:, None, None, None], (x - self.step_size * grad).clamp(0, 1), x)
            if on_step is not None:
                on_step(InversionStep(i, cost, active.clone()))
            if not active.any():
                break
        return Inversion(classes, best, best_cost, iterations, stopped)
