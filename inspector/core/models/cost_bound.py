"""What running a model once would cost, found without running it: the bound on a hostile model.

A small model file can declare a graph whose ops materialise huge tensors
(``zeros`` of 40,000 x 40,000, an ``expand`` then ``clone``) or take hours
(a matrix product of huge operands). :func:`check_cost` runs the module once
on a :class:`~torch._subclasses.fake_tensor.FakeTensor` batch, which computes
shapes only (no memory, no arithmetic), records each op's output size (views and in-place ops allocate nothing),
what it reads (a kernel may copy a broadcast view of a few bytes in full) and its FLOPs
(:func:`inspector.core.models.op_cost.op_flops`), and refuses the model, naming the op,
before the real run would cost more than the bound. An op whose output shape
depends on the data, or whose cost :mod:`~inspector.core.models.op_cost` cannot price, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.utils._python_dispatch import TorchDispatchMode

from inspector.core.models.op_cost import op_flops, tensors_in
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import one_line

#: The memory one run's outputs may take (sum over ops, the most a backward pass keeps), in bytes.
MAX_BYTES = 1 * 2**30
#: The floating-point operations one run may take (a CPU does a few GFLOP/s per core; the probe runs
#: a forward and a backward pass).
MAX_FLOPS = 50 * 10**9


class CostError(ModelError):
    """A model would cost more memory or time than the bound to run once."""


@dataclass(frozen=True)
class Cost:
    """What one run costs: the sum and the largest of the op outputs (bytes), FLOPs, and ops run."""

    total_bytes: int
    largest_bytes: int
    flops: int
    ops: int


class _Meter(TorchDispatchMode):
    """Adds up each op's output bytes and FLOPs; raises :class:`CostError` past a bound."""

    def __init__(self, where: str, max_bytes: int, max_flops: int):
        super().__init__()
        self.where, self.max_bytes, self.max_flops = where, max_bytes, max_flops
        self.total = self.largest = self.flops = self.ops = 0
        self.op = None

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        self.op = func
        out = func(*args, **kwargs)
        self.ops += 1
        name = _op_name(func)
        flops = op_flops(func, args, kwargs, out)
        if flops is None:
            raise CostError(
                f"{self.where}: {name} is not an operator whose cost this tool can bound (it may "
                "cost far more than it reads and writes); refused"
            )
        self.flops += flops
        size = read = 0
        if not func.is_view:  # a view allocates nothing and computes nothing
            aliased = any(r.alias_info is not None for r in func._schema.returns)  # in place: computes, no new memory
            size = 0 if aliased else sum(t.numel() * t.element_size() for t in tensors_in(out))
            read = sum(t.numel() * t.element_size() for t in tensors_in((args, kwargs))) if size or aliased else 0
        self.total += size
        self.largest = max(self.largest, size)
        if size > self.max_bytes or self.total > self.max_bytes:
            raise CostError(
                f"{self.where}: {name} would make {size / 2**30:.1f} GB of tensors "
                f"({self.total / 2**30:.1f} GB so far in one run), over the "
                f"{self.max_bytes / 2**30:.1f} GB bound; refused"
            )
        if read > self.max_bytes:
            raise CostError(
                f"{self.where}: {name} would read {read / 2**30:.1f} GB of tensors (a kernel may copy "
                f"a broadcast view in full), over the {self.max_bytes / 2**30:.1f} GB bound; refused"
            )
        if self.flops > self.max_flops:
            raise CostError(
                f"{self.where}: {name} brings one run to {self.flops / 1e9:.0f} GFLOP, over the "
                f"{self.max_flops / 1e9:.0f} GFLOP bound (about a minute); refused"
            )
        return out


def check_cost(
    net: nn.Module, input_shape: tuple[int, ...], where: str, *, max_bytes: int = MAX_BYTES, max_flops: int = MAX_FLOPS
) -> Cost:
    """What one run of ``net`` on a float32 batch of ``input_shape`` costs, found on fake tensors.

    ``where`` names the model in messages. The parameters of ``net`` are not copied.

    Raises:
        CostError: an op's output, or the sum of them, exceeds ``max_bytes``, or the FLOPs
            exceed ``max_flops`` (the message names the op).
        ModelError: an op's output shape depends on the data (it cannot be bounded), or the
            network fails on a batch of that shape.
    """
    from torch._subclasses.fake_tensor import DataDependentOutputException, DynamicOutputShapeException, FakeTensorMode

    meter = _Meter(where, max_bytes, max_flops)
    shape = "x".join(str(n) for n in input_shape)
    try:
        with FakeTensorMode(allow_non_fake_inputs=True), torch.no_grad():
            x = torch.empty(input_shape, dtype=torch.float32)
            with meter:
                net(x)
    except ModelError:
        raise
    except (DataDependentOutputException, DynamicOutputShapeException):
        raise ModelError(
            f"{where}: {_op_name(meter.op)} gives an output whose size depends on the data, so "
            "what running it costs cannot be bounded; refused"
        ) from None
    except Exception as exc:  # the network fails on the batch: torch raises many kinds
        raise ModelError(
            f"{where}: the model fails on a batch of {shape} inputs at {_op_name(meter.op)} ({one_line(exc)})"
        ) from None
    return Cost(meter.total, meter.largest, meter.flops, meter.ops)


def _op_name(func) -> str:
    if func is None:
        return "the first op"
    return f"the op {func}"
