"""The digits whose membership is known, and the balanced evaluation sets drawn from them.

The shipped MNIST models trained on the first 8,000 digits of the MNIST test set
(members) and never saw the last 2,000 (non-members). An evaluation set takes as
many members, drawn at random, as non-members, so a score's ROC curve is not tilted by
the base rate.

A caution about these digits: the MNIST test set's first 5,000 digits come from NIST's
original training set and the last 5,000 from its test set, other writers (LeCun, Cortes
and Burges, the MNIST page). All non-members are from the second half, and a random
member is from the first with probability 5/8; so a score that only tells the two writer
populations apart would look like a membership signal (or an anti-signal). :func:`same_writers` picks the members from
digits 5,000-7,999, the non-members' population, for the control the results report.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch

from inspector.core.io.datasets.mnist import TRAIN_SIZE, mnist_split
from inspector.core.util.errors import ParameterError

#: Digits 0..TRAIN_SIZE-1 are members; the rest non-members.
NON_MEMBERS = 2000
#: The first digit of the second writer population (the non-members' one).
SECOND_HALF = 5000


@dataclass(frozen=True)
class Digits:
    """All 10,000 digits: x (10000, 1, 28, 28) float32 in [0, 1], y (10000,) int64."""

    x: torch.Tensor
    y: torch.Tensor


@dataclass(frozen=True)
class EvaluationSet:
    """A balanced evaluation set: ``index`` (2n,) into the 10,000 digits, members first;
    ``is_member`` (2n,) bool."""

    index: torch.Tensor
    is_member: torch.Tensor

    @property
    def size(self) -> int:
        return int(self.is_member.sum())


def load_digits(data: str | os.PathLike | None = None) -> Digits:
    """The 10,000 digits of the MNIST test set, in file order.

    Raises:
        ImageError: the folder lacks the IDX files or they hold other than 10,000 digits.
    """
    split = mnist_split(data)
    return Digits(
        torch.cat([split["train"][0], split["held_out"][0]]), torch.cat([split["train"][1], split["held_out"][1]])
    )


def balanced_set(n: int = NON_MEMBERS, seed: int = 0) -> EvaluationSet:
    """``n`` random members (of the 8,000) and ``n`` random non-members (all 2,000 when n = 2,000).

    Raises:
        ParameterError: n outside 1..2000.
    """
    if not 1 <= n <= NON_MEMBERS:
        detail = f"must be from 1 to {NON_MEMBERS} (as many non-members are drawn), not {n}"
        raise ParameterError(f"the number of members {detail}", param="members", detail=detail)
    gen = torch.Generator().manual_seed(seed)
    members = torch.randperm(TRAIN_SIZE, generator=gen)[:n].sort().values
    non_members = TRAIN_SIZE + torch.randperm(NON_MEMBERS, generator=gen)[:n].sort().values
    return EvaluationSet(
        torch.cat([members, non_members]),
        torch.cat([torch.ones(n, dtype=torch.bool), torch.zeros(n, dtype=torch.bool)]),
    )


def same_writers(evaluation: EvaluationSet) -> torch.Tensor:
    """(2n,) bool: the members from digits 5,000-7,999 (the non-members' writers) and every non-member."""
    return ~evaluation.is_member | (evaluation.index >= SECOND_HALF)
