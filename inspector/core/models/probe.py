"""Probing a freshly loaded classifier once: does it behave like one?

A model file can load and still be useless: it may return NaN, a single
output, integers, a tensor of the wrong shape, work on one image at a time
only (detectors and attacks run batches), or give no gradient with respect to
its input (white-box attacks need one). :func:`probe` finds these at load
time, where the error can name the model file, rather than in the middle of
an attack.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.models.classifier import Classifier
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import show_path

#: Images in the probe batch: more than one, as attacks and detectors run batches.
PROBE_BATCH = 2


@dataclass(frozen=True)
class ProbeReport:
    """What the probe found.

    Attributes:
        num_outputs: K, the number of logits per image (2 to MAX_COUNT).
        has_input_gradient: the logits have a finite, non-zero gradient with respect to the input.
    """

    num_outputs: int
    has_input_gradient: bool


def probe(model: Classifier) -> ProbeReport:
    """Run ``model`` once, with a backward pass, on a batch of random images in [0, 1].

    The batch is (PROBE_BATCH, C, H, W) at the model's channels and input size,
    on the model's device, drawn from a fixed seed.

    Raises:
        ModelError: the model fails on the batch, does not return floating-point
            logits of shape (PROBE_BATCH, K) with 2 <= K <= MAX_COUNT (attacks and reports
            go through every class), or returns NaN or infinity.
    """
    name = show_path(model.name)
    h, w = model.input_size
    shape = f"{model.channels}x{h}x{w}"
    x = probe_batch(model).requires_grad_(True)
    batch_hint = "(does it take one image at a time, e.g. by a reshape(1, -1)? attacks and detectors run batches)"
    with torch.enable_grad():
        try:
            out = model(x)
        except ModelError:
            if not _runs_on_one(model, x):
                raise
            raise ModelError(
                f"{name}: fails on a batch of {PROBE_BATCH} {shape} images but runs on one {batch_hint}"
            ) from None
    if not isinstance(out, torch.Tensor):
        raise ModelError(f"{name}: returns {type(out).__name__}, not a tensor of logits of shape (N, K)")
    if out.dim() != 2 or out.shape[0] != PROBE_BATCH:
        raise ModelError(
            f"{name}: returns shape {tuple(out.shape)} for a batch of {PROBE_BATCH} {shape} images; "
            f"it must return logits of shape ({PROBE_BATCH}, K) {batch_hint}"
        )
    if not out.is_floating_point():
        raise ModelError(f"{name}: returns {str(out.dtype).removeprefix('torch.')} values, not floating-point logits")
    k = out.shape[1]
    if not 2 <= k <= MAX_COUNT:
        raise ModelError(
            f"{name}: returns {k:,} output{'s' if k != 1 else ''} per image; "
            f"a classifier here has 2 to {MAX_COUNT:,} classes"
        )
    if not torch.isfinite(out.detach()).all():
        raise ModelError(
            f"{name}: returns NaN or infinite logits on random {shape} images in [0, 1] "
            "(is a normalisation std 0, or does the network divide by zero?)"
        )
    return ProbeReport(k, _has_input_gradient(x, out))


def probe_batch(model: Classifier) -> torch.Tensor:
    """The probe's images: (PROBE_BATCH, C, H, W) in [0, 1] at the model's channels and input size,
    on its device, the same every time (a fixed seed)."""
    h, w = model.input_size
    generator = torch.Generator().manual_seed(0)
    return torch.rand(PROBE_BATCH, model.channels, h, w, generator=generator).to(model.device)


def _runs_on_one(model: Classifier, x: torch.Tensor) -> bool:
    try:
        with torch.no_grad():
            model(x[:1])
    except ModelError:
        return False
    return True


def _has_input_gradient(x: torch.Tensor, out: torch.Tensor) -> bool:
    """Whether a random mix of the logits has a finite gradient w.r.t. ``x`` that is not all zero."""
    if not out.requires_grad:
        return False
    weights = torch.randn(out.shape, generator=torch.Generator().manual_seed(1)).to(out.device)
    try:
        (grad,) = torch.autograd.grad((out * weights).sum(), x, allow_unused=True)
    except RuntimeError:  # an operation without a derivative
        return False
    return grad is not None and bool(torch.isfinite(grad).all()) and bool(grad.abs().sum() > 0)
