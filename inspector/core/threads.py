"""CPU thread count: part of what makes a run reproducible.

On a CPU, torch splits reductions (convolutions, matrix products) over its
intra-op threads, so a different thread count sums in a different order. The
last bits of a gradient then differ, and a sign-based step (FGSM, PGD) or a
rounding to the 8-bit grid can flip a pixel. A run is replayed byte for byte
only with the thread count it was made with, so recipes record it and
:func:`intra_op_threads` restores it for the run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from inspector.core.errors import ParameterError


@contextmanager
def intra_op_threads(count: int) -> Iterator[None]:
    """Run the block with torch's CPU intra-op thread count set to ``count``, then restore it.

    The setting is per calling thread for OpenMP, so call this on the thread that computes.

    Raises:
        ParameterError: ``count`` is below 1.
    """
    if count < 1:
        raise ParameterError(f"thread count {count} must be at least 1")
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
