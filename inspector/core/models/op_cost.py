"""What one ATen operator costs to run, in floating-point operations, from the shapes of its arguments.

:func:`op_flops` prices an op the way :mod:`inspector.core.models.cost_bound` needs
to bound a hostile graph: every op reads each element of its inputs and
writes each element of its outputs once at least (a sum over a broadcast view
of four bytes reads every element the view declares); matrix products and
convolutions add what :data:`torch.utils.flop_counter.flop_registry` counts;
pooling adds a window per output element, distances a vector per pair, and
attention a product per query-key pair. Only ops whose cost these rules bound
are priced: views and metadata queries (free), ops torch tags pointwise, reductions or core ATen (the
operator set torch.export lowers models to), a few common layers outside it,
and ops that make no tensor. Any other op (a linear-algebra decomposition, ``addbmm``, a slow
convolution kernel, a fused transformer layer ...) can cost far more than it
reads and writes, so it has no price and is refused.
"""

from __future__ import annotations

import math

import torch
from torch.utils.flop_counter import flop_registry

_aten = torch.ops.aten
#: Tags of ops that cost about what they read and write (core ATen's superlinear ops have rules below).
_LINEAR_TAGS = {torch.Tag.core, torch.Tag.pointwise, torch.Tag.reduction, torch.Tag.inplace_view}
#: Ops outside those tags that models use and that cost about what they read and write.
_LINEAR_OPS = {
    "native_batch_norm",
    "_native_batch_norm_legit_functional",
    "hardswish",
    "hardsigmoid",
    "mish",
    "softplus",
    "log_sigmoid_forward",
    "prelu",
    "_prelu_kernel",
    "glu",
    "rrelu_with_noise",
    "_unsafe_view",
    "lift_fresh_copy",
    "upsample_bilinear2d",
    "upsample_nearest2d",
    "upsample_nearest1d",
    "upsample_nearest3d",
    "upsample_linear1d",
    "upsample_bicubic2d",
    "upsample_trilinear3d",
    "_upsample_bilinear2d_aa",
    "_upsample_nearest_exact2d",
    "pixel_shuffle",
    "pixel_unshuffle",
    "channel_shuffle",
    "native_channel_shuffle",
    "roll",
    "std",
    "var_mean",
    "std_mean",
    "logsumexp",
    "linalg_vector_norm",
    "norm",
    "cumprod",
    "logcumsumexp",
    "im2col",
    "tril",
    "triu",
    "stack",
    "zeros",
    "ones",
    "zeros_like",
    "ones_like",
    "empty_like",
    "new_empty",
    "new_zeros",
    "new_ones",
    "new_full",
    "rand_like",
    "randn_like",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "_adaptive_avg_pool3d",
    "dot",
    "mv",
    "addmv",
    "addr",
    "linspace",
    "one_hot",
    "masked_fill",
    "clamp_min",
    "clamp_max",
    "repeat_interleave",
    "narrow_copy",
    "bernoulli",
    "native_dropout",
    "detach",
    "copy_",
    "fill_",
    "zero_",
    "lerp",
    "addcmul",
    "addcdiv",
}
#: Pooling ops: a window of ``kernel_size`` (their first list argument) read per output element.
_POOLING = {
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "avg_pool2d",
    "avg_pool3d",
    "max_pool2d_with_indices_backward",
    "avg_pool2d_backward",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "avg_pool1d",
}
#: Distance ops: a vector of the input's last dimension per output element.
_DISTANCES = {"_cdist_forward", "_pdist_forward"}
#: Attention kernels priced as torch prices the flash kernel (batch x heads x queries x keys x features).
_ATTENTION = {"_scaled_dot_product_flash_attention_for_cpu"}


def op_flops(func, args: tuple, kwargs: dict, out) -> int | None:
    """The FLOPs of ``func(*args, **kwargs)`` that gave ``out`` (fake tensors will do); None: its cost is unknown."""
    if func.is_view:
        return 0  # a view computes nothing: what reads it pays
    name = func._overloadpacket.__name__
    if func.namespace == "prim" or name.startswith("sym_"):
        return 0  # prim.device, sym_size ...: what a tensor is, not what it holds
    moved = sum(t.numel() for t in tensors_in((args, kwargs))) + sum(t.numel() for t in tensors_in(out))
    counter = flop_registry.get(func._overloadpacket)
    if counter is not None:
        return moved + int(counter(*args, **kwargs, out_val=out))
    if name in _ATTENTION:
        q, k, v = args[:3]
        return moved + int(flop_registry[_aten._scaled_dot_product_flash_attention](q, k, v, out_val=out))
    if name in _POOLING:
        kernel = next((a for a in args if isinstance(a, (list, tuple))), [1])
        return moved + max((t.numel() for t in tensors_in(out)), default=0) * math.prod(int(k) for k in kernel)
    if name in _DISTANCES:
        return moved + out.numel() * args[0].shape[-1]
    if name in _LINEAR_OPS or _LINEAR_TAGS.intersection(func.tags) or next(tensors_in(out), None) is None:
        return moved  # (an op that makes no tensor, such as aten.equal, reads what it is given)
    return None


def tensors_in(value):
    """The tensors in ``value``, an op's arguments or result (nested tuples, lists and dicts)."""
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from tensors_in(item)
    elif isinstance(value, dict):
        yield from tensors_in(list(value.values()))
