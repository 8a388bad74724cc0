"""What an attack will cost on a model: the measured time of one input gradient and one query,
times the attack's planned counts (:meth:`~inspector.core.attacks.base.Attack.planned_cost`).

    unit = measure_unit_cost(model, x)            # once per model and device: a few passes
    estimate(attack, x.shape[1:], unit).seconds    # before Run: an upper bound
    time_left(bound, elapsed, iteration, total)    # during the run: the same bound, counted down
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import torch

from inspector.core.attacks.base import Attack


@dataclass(frozen=True)
class UnitCost:
    """Seconds of one input gradient (forward and backward pass) and of one query (forward pass)
    of one image, on one model and device, in the thread that measured them."""

    gradient_s: float
    query_s: float


@dataclass(frozen=True)
class Estimate:
    """An attack's planned input gradients and queries (upper bounds) and their time in seconds."""

    gradients: int
    queries: int
    seconds: float


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure_unit_cost(model: torch.nn.Module, x: torch.Tensor, repeats: int = 3) -> UnitCost:
    """Time one input gradient and one forward pass of image ``x`` (1, C, H, W) on ``model``:
    the fastest of ``repeats`` each, after one warm-up of each (allocations, lazy initialisation)."""

    def gradient():
        point = x.detach().clone().requires_grad_(True)
        (grad,) = torch.autograd.grad(model(point).sum(), point)
        return grad

    def query():
        with torch.no_grad():
            return model(x)

    def fastest(fn) -> float:
        fn()
        times = []
        for _ in range(repeats):
            _sync(x.device)
            start = time.perf_counter()
            fn()
            _sync(x.device)
            times.append(time.perf_counter() - start)
        return min(times)

    return UnitCost(gradient_s=fastest(gradient), query_s=fastest(query))


def estimate(attack: Attack, shape: tuple[int, ...], unit: UnitCost) -> Estimate:
    """The planned cost of ``attack`` on one image of ``shape`` (C, H, W), and its time at ``unit``."""
    gradients, queries = attack.planned_cost(tuple(shape))
    return Estimate(gradients, queries, gradients * unit.gradient_s + queries * unit.query_s)


def time_left(bound_s: float | None, elapsed_s: float, iteration: int, total: int) -> tuple[float, bool]:
    """Seconds left of a run, and whether they come from the bound: the estimate made before Run
    (``bound_s``, seconds of the whole run, None when there was none) less the time spent, while
    the run is within it; past it (the device slower than measured), or without one, the time
    per iteration so far times the iterations left (``iteration`` of ``total`` done), which
    overstates attacks whose first iterations cost the most (HopSkipJump's initial search)."""
    if bound_s is not None and elapsed_s < bound_s:
        return bound_s - elapsed_s, True
    return elapsed_s / max(iteration, 1) * max(total - iteration, 0), False


def count_gradient_rows(x: torch.Tensor, counter: list[int]) -> torch.Tensor:
    """``x`` unchanged, adding to ``counter[0]`` the image rows of every gradient that flows back
    through it: the measured counterpart of ``planned_cost``'s input gradients (one per row and
    backward pass)."""
    return _CountRows.apply(x, counter)


class _CountRows(torch.autograd.Function):
    """The identity, counting the rows every backward pass through it carries."""

    @staticmethod
    def forward(ctx, x, counter):
        ctx.counter = counter
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        ctx.counter[0] += grad.shape[0]
        return grad, None
