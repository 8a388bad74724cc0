"""CPU thread count: part of what makes a run reproducible.

On a CPU, torch splits reductions (convolutions, matrix products) over its
intra-op threads, so a different thread count sums in a different order. The
last bits of a gradient then differ, and a sign-based step (FGSM, PGD) or a
rounding to the 8-bit grid can flip a pixel. A run is replayed byte for byte
only with the thread count it was made with, so recipes record it and
:func:`intra_op_threads` restores it for the run.

The count may come from a file (a recipe, a manifest), so it is bounded by
:data:`MAX_THREADS`: torch (OpenMP) starting 100,000 threads dies with SIGSEGV.
The bound does not depend on this machine's CPU count, so that a run made on a
large server replays on a laptop (more slowly, with the same bytes); 1024 is
above the hardware threads of today's largest two-socket servers (2 x 192 cores
x 2), and starting that many costs well under a second and about 50 MB.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

from inspector.core.util.errors import ParameterError

#: The largest CPU thread count a run may ask for.
MAX_THREADS = 1024


@contextmanager
def intra_op_threads(count: int) -> Iterator[None]:
    """Run the block with torch's CPU intra-op thread count set to ``count``, then restore it.

    The setting is per calling thread for OpenMP, so call this on the thread that computes.

    Raises:
        ParameterError: ``count`` is not a whole number from 1 to :data:`MAX_THREADS`.
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_THREADS:
        raise ParameterError(f"thread count {count!r} must be a whole number, at least 1 and at most {MAX_THREADS}")
    before = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)
