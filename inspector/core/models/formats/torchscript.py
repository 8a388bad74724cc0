"""TorchScript archives (``torch.jit.save``): programs, so loaded only when the user trusts the file.

A TorchScript model is code: ``torch.jit.load`` runs its ``__setstate__``
methods, and its ``forward`` can call ``torch.from_file(..., shared=True)``
(which writes any file the user can write), loop for ever or allocate without
bound. Walking its graphs for dangerous operators would have to follow every
method, submodule and string-built call, and one missed path is code
execution, so TorchScript is treated like a pickle: refused before
``torch.jit.load`` runs unless the user passes ``--trust-model-code`` (or says
yes in the app). Its ``inspector.json`` extra file or its sidecar gives the metadata.
"""

from __future__ import annotations

from pathlib import Path

import torch

from inspector.core.models.classifier import Classifier
from inspector.core.models.formats.pickled import SAFE_FORMATS, CodePickleError
from inspector.core.models.formats.sidecar import classifier_for, sidecar_path
from inspector.core.models.metadata import ModelMetadata, parse_metadata
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import one_line, show_path

TASK = "TorchScript model"


class TorchScriptCodeError(CodePickleError):
    """A model file is TorchScript, a program that runs when loaded, and the user has not trusted it."""


def refuse_torchscript(path: Path) -> TorchScriptCodeError:
    """The one-line refusal of the TorchScript file ``path`` loaded without trust."""
    safe = ", ".join(SAFE_FORMATS[:-1]) + " or " + SAFE_FORMATS[-1]
    return TorchScriptCodeError(
        f"{show_path(path)} is a TorchScript model: a program that can run code on this "
        "computer (read and write files) when it is loaded and run; if you trust where it "
        f"came from, pass --trust-model-code, else save the model as {safe}"
    )


def load_torchscript(path: Path, *, trust_code: bool = False) -> Classifier:
    """The TorchScript model in ``path``, fed as its sidecar says or, without one, its ``inspector.json`` extra file.

    Only with ``trust_code``: loading runs code from the file.

    Raises:
        TorchScriptCodeError: ``trust_code`` is False (nothing from the file has run).
        ModelError: not a TorchScript archive, or its metadata breaks the schema.
    """
    if not trust_code:
        raise refuse_torchscript(path)
    shown = show_path(path)
    extra = {"inspector.json": ""}
    try:
        net = torch.jit.load(str(path), map_location="cpu", _extra_files=extra)
    except Exception as exc:  # torch raises RuntimeError, ValueError or pickle errors
        raise ModelError(f"{shown}: not a TorchScript model ({one_line(exc)})") from None
    embedded = ModelMetadata(task=TASK)
    if not sidecar_path(path).is_file():
        embedded = parse_metadata(
            extra["inspector.json"], f"{shown}: inspector.json", folder=path.parent, defaults=embedded
        )
    return classifier_for(net, path, embedded)
