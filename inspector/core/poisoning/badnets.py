"""BadNets data poisoning (Gu, Dolan-Gavitt and Garg 2017, "BadNets: Identifying
Vulnerabilities in the Machine Learning Model Supply Chain", arXiv:1708.06733).

A fraction ``rate`` of the training set is replaced by copies stamped with the
trigger and relabelled to the target class (an all-to-one backdoor). The
poisoned digits are drawn from those not already of the target class.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.poisoning.attack import check_rate, check_target
from inspector.core.poisoning.triggers import Trigger
from inspector.core.util.errors import ParameterError


@dataclass
class PoisonedSet:
    """A poisoned training set: x (N, C, H, W) in [0, 1], labels y (N,), and ``indices`` (P,) of the poisoned rows."""

    x: torch.Tensor
    y: torch.Tensor
    indices: torch.Tensor


def poison_count(n: int, rate: float) -> int:
    """How many of n training images a rate poisons: round(rate * n), at least 1."""
    return max(1, round(rate * n))


def badnets(
    x: torch.Tensor,
    y: torch.Tensor,
    trigger: Trigger,
    target: int,
    rate: float,
    *,
    num_classes: int = 10,
    seed: int = 0,
) -> PoisonedSet:
    """Poison round(rate * N) of (x, y): stamp ``trigger`` and relabel them ``target``.

    x (N, C, H, W) in [0, 1], y (N,) class indices. Returns a new set; x and y are not changed.

    Raises:
        ParameterError: rate outside (0, 1], a target that is not a class, or more
            poisons asked for than digits outside the target class.
    """
    check_rate(rate)
    check_target(target, num_classes)
    candidates = (y != target).nonzero().flatten()
    count = poison_count(len(y), rate)
    if count > len(candidates):
        raise ParameterError(
            f"poison rate {rate:g} asks for {count} poisoned images but only "
            f"{len(candidates)} are outside the target class"
        )
    order = torch.randperm(len(candidates), generator=torch.Generator().manual_seed(seed))
    indices = candidates[order[:count]].sort().values
    xp, yp = x.clone(), y.clone()
    xp[indices] = trigger.apply(x[indices])
    yp[indices] = target
    return PoisonedSet(xp, yp, indices)
