"""Whole models pickled by ``torch.save(model)``: refused unless the user trusts the file.

Unpickling a model object runs code named in the file: whoever made the file
chooses what runs. So a ``.pt``/``.pth`` file is first read with
``torch.load(weights_only=True)``, which builds tensors and plain containers
only and refuses anything else without running it. A file it refuses is a
pickle of Python objects, loaded only when the user explicitly trusts it
(``--trust-model-code``, or the app's confirmation), with ``weights_only=False``.
"""

from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path

import torch
from torch import nn

from inspector.core.util.errors import ModelError
from inspector.core.util.messages import one_line, show_path

#: The formats that cannot run code from the file, as the refusal names them.
SAFE_FORMATS = (
    "a torch.export program (.pt2)",
    "ONNX (.onnx)",
    "a state dict or safetensors file with --model ARCHITECTURE --weights FILE",
)


#: What torch's weights-only unpickler says when it refuses an object it was asked to build (any
#: other refusal, such as "Unsupported operand", means the bytes are no pickle at all).
_OBJECT_REFUSALS = ("GLOBAL ", "Can only create new object", "Can only build")

#: How many times its own size a torch.save archive may expand to (it stores its members uncompressed).
MAX_EXPANSION = 2


class CodePickleError(ModelError):
    """A model file is a pickle whose loading would run code from it, and the user has not trusted it."""


def read_weights_only(path: Path):
    """What ``torch.load(path, weights_only=True)`` gives: tensors in plain containers (a state dict).

    Raises:
        CodePickleError: the file pickles other objects (a whole model); the message names
            the risk, the opt-in and the safe formats.
        ModelError: the file is no torch.save file at all (the message names it).
    """
    shown = show_path(path)
    _check_expansion(path)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if not any(phrase in str(exc) for phrase in _OBJECT_REFUSALS):
            raise ModelError(f"{shown}: not a TorchScript model or torch.save file (corrupt pickle data)") from None
        safe = ", ".join(SAFE_FORMATS[:-1]) + " or " + SAFE_FORMATS[-1]
        # weights_only refused to build an object, so nothing from the file ran
        raise CodePickleError(
            f"{shown} is a pickled model: loading it runs code from the file, which can do "
            f"anything on this computer; if you trust where it came from, pass "
            f"--trust-model-code, else save the model as {safe}"
        ) from None
    except Exception as exc:  # torch raises RuntimeError, EOFError, struct or zip errors for other files
        raise ModelError(f"{shown}: not a TorchScript model or torch.save file ({one_line(exc)})") from None


def _check_expansion(path: Path) -> None:
    """Refuse a zip archive whose members expand to more than the file holds (``torch.save`` stores them
    uncompressed; a deflated member of zeros expands a thousand times), before torch reads any of it.

    Raises:
        ModelError: the members would take more than :data:`MAX_EXPANSION` times the file's size.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip archive: torch's legacy format, or not torch's at all
    size = os.path.getsize(path)
    expanded = sum(member.file_size for member in members)
    if expanded > MAX_EXPANSION * size + 2**16:
        raise ModelError(
            f"{show_path(path)}: its compressed members expand to {expanded:,} bytes from a "
            f"{size:,}-byte file; torch.save stores them uncompressed, so this file is refused"
        )


def load_pickled_model(path: Path) -> nn.Module:
    """The model pickled in ``path``, unpickled with ``weights_only=False``: RUNS CODE FROM THE FILE.

    Call it only for a file the user chose to trust.

    Raises:
        ModelError: unpickling fails (a class the file names is not importable here) or gives no ``nn.Module``.
    """
    shown = show_path(path)
    try:
        net = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # unpickling raises whatever the pickled code or a missing class raises
        raise ModelError(
            f"{shown}: cannot unpickle the model ({one_line(exc)}); its classes must be importable "
            "here, or save it as a torch.export program (.pt2) or ONNX instead"
        ) from None
    if not isinstance(net, nn.Module):
        raise ModelError(f"{shown}: holds a pickled {type(net).__name__}, not a torch model (nn.Module)")
    return net
