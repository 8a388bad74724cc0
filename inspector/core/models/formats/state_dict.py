"""Reading a state dict: a safetensors file, or a ``torch.save`` file read with ``weights_only=True``."""

from __future__ import annotations

import stat
from collections.abc import Mapping
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file

from inspector.core.io.files import stat_path
from inspector.core.models.formats.pickled import CodePickleError, read_weights_only
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import one_line, show_path


def read_state_dict(path: Path) -> dict[str, torch.Tensor]:
    """The tensors by name in ``path`` (``.safetensors``, else a ``torch.save``'d state dict); nothing runs code.

    Raises:
        ModelError: the file is missing, not a regular file (a FIFO, a device), unreadable, a whole pickled model (give it as the
            model instead), or holds something other than tensors by name.
    """
    shown = show_path(path)
    info = stat_path(path, ModelError)
    if info is None or stat.S_ISDIR(info.st_mode):
        raise ModelError(f"{shown}: no such weights file")
    if not stat.S_ISREG(info.st_mode):  # torch.load would wait on a FIFO, read /dev/zero for ever
        raise ModelError(f"{shown}: not a regular file (a pipe, socket or device), refused as the weights file")
    if path.suffix == ".safetensors":
        try:
            state = load_file(str(path))
        except (SafetensorError, OSError, ValueError) as exc:
            raise ModelError(f"{shown}: not a safetensors file ({one_line(exc)})") from None
        for name, tensor in state.items():
            _check_stored(shown, name, tensor)
        return state
    try:
        state = read_weights_only(path)
    except CodePickleError:
        raise ModelError(
            f"{shown} is a whole pickled model, not a state dict: give it as --model {shown} "
            "(it runs code from the file: see --trust-model-code), or save model.state_dict()"
        ) from None
    if not isinstance(state, Mapping) or not all(
        isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()
    ):
        raise ModelError(
            f"{shown}: holds a {type(state).__name__}, not a state dict (tensors by name); "
            "save one with torch.save(model.state_dict(), path)"
        )
    for name, tensor in state.items():
        _check_stored(shown, name, tensor)
    return dict(state)


def _check_stored(shown: str, name: str, tensor: torch.Tensor) -> None:
    """Refuse a tensor that is not plain real numbers stored in the file: a sparse, quantized or
    complex tensor, a meta tensor (a shape with no data), or a view with stride 0 (or overlapping
    strides) of a small storage. Such a tensor can declare any shape, and a network built to that
    shape (its number of classes comes from the weights) would allocate it for real.

    Raises:
        ModelError: the tensor is not a strided CPU tensor of real numbers, or declares more
            elements than its storage holds.
    """
    kind = (
        "sparse"
        if tensor.layout != torch.strided
        else "quantized"
        if tensor.is_quantized
        else "complex"
        if tensor.is_complex()
        else tensor.device.type
        if tensor.device.type != "cpu"
        else None
    )
    if kind is not None:
        raise ModelError(
            f"{shown}: weight {name!r} is a {kind} tensor, not plain real numbers stored in the "
            "file; save the weights with torch.save(model.state_dict(), path)"
        )
    needed = tensor.numel() * tensor.element_size()
    held = tensor.untyped_storage().nbytes()
    if needed > held:
        raise ModelError(
            f"{shown}: weight {name!r} declares shape {tuple(tensor.shape)} "
            f"({needed:,} bytes) but the file stores {held:,} bytes of it; "
            "save the weights with torch.save(model.state_dict(), path)"
        )
