"""Choosing the compute device: CUDA, then MPS, then CPU, unless the user says."""

from __future__ import annotations

import torch

from inspector.core.util.errors import DeviceError


def select_device(name: str | None = None) -> torch.device:
    """The torch device to run on.

    Args:
        name: ``None`` or ``"auto"`` picks CUDA, then Apple MPS, then CPU;
            otherwise ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.

    Raises:
        DeviceError: the name is malformed or that device is not available here.
    """
    if name is None or name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except (RuntimeError, ValueError):
        raise DeviceError(f"unknown device {name!r}: use auto, cpu, cuda, cuda:N or mps") from None
    if device.type == "cpu":
        return device
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise DeviceError(f"device {name!r} requested but this machine has no usable CUDA GPU; use --device cpu")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise DeviceError(f"device {name!r} requested but only {torch.cuda.device_count()} CUDA GPU(s) exist")
        return device
    if device.type == "mps":
        if not torch.backends.mps.is_available():
            raise DeviceError("device 'mps' requested but Apple Metal is not available here; use --device cpu")
        return device
    raise DeviceError(f"unsupported device {name!r}: use auto, cpu, cuda, cuda:N or mps")
