"""Model files in the formats people have, none of which runs code from the file unless the user trusts it.

=====================================  ==========================  ==============================
file                                   loaded with                 attacks
=====================================  ==========================  ==============================
``.pt2`` (torch.export)                checked, then               white-box and black-box
                                       ``torch.export.load``
``.onnx``                              onnxruntime, converted to   white-box where the graph
                                       torch where it can be       converts, else black-box only
TorchScript (``.pt``, ``.pth`` ...)    refused; with trust:        white-box and black-box
                                       ``torch.jit.load``
``torch.save(model)`` (``.pt`` ...)    refused; with trust:        white-box and black-box
                                       ``weights_only=False``
state dict, ``.safetensors``           needs ``--model ARCH``      white-box and black-box
                                       and ``--weights FILE``
=====================================  ==========================  ==============================

A state dict is loaded into an architecture (:mod:`inspector.core.architectures`).

The format follows the suffix for ``.pt2``, ``.onnx`` and ``.safetensors``;
any other file is looked into: a zip archive holding ``constants.pkl`` is
TorchScript, anything else goes to ``torch.load(weights_only=True)``.
TorchScript and whole pickled models run code from the file, so both need
``trust_code`` (:data:`NEEDS_TRUST` lists the :func:`file_kind` answers the app
asks about). Every
model takes its metadata from its sidecar (:mod:`inspector.core.models.formats.sidecar`).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from inspector.core.io.files import regular_file
from inspector.core.models.classifier import Classifier
from inspector.core.models.formats.exported import load_exported
from inspector.core.models.formats.pickled import CodePickleError, load_pickled_model, read_weights_only
from inspector.core.models.formats.sidecar import SIDECAR_SUFFIX, classifier_for
from inspector.core.models.formats.torchscript import load_torchscript
from inspector.core.models.metadata import ModelMetadata
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import show_path

#: Suffixes of the model files the app offers to open.
MODEL_SUFFIXES = (".pt2", ".onnx", ".pt", ".pth", ".jit", ".ts", ".safetensors")
#: The :func:`file_kind` answers of files whose loading runs code from them: asked about, loaded only with trust.
NEEDS_TRUST = ("pickle", "torchscript")


def load_model_file(path: Path, *, trust_code: bool = False) -> Classifier:
    """The model in ``path``, fed as its sidecar says (not yet probed: see :func:`inspector.core.models.loading.load_model`).

    ``trust_code`` allows unpickling a whole model saved with ``torch.save(model)``
    and loading TorchScript, both of which run code from the file; without it such
    a file is refused before anything from it runs.

    Raises:
        CodePickleError: a pickled whole model, and ``trust_code`` is False.
        TorchScriptCodeError: (a CodePickleError) TorchScript, and ``trust_code`` is False.
        ModelError: no such file, a folder, a FIFO or device, a sidecar given as the model, weights without
            an architecture, or a file of its format that cannot be read.
    """
    shown = show_path(path)
    regular_file(path, ModelError, "model")  # torch.load and zipfile would wait on a FIFO, read /dev/zero for ever
    if path.name.endswith(SIDECAR_SUFFIX):
        model = path.with_name(path.name.removesuffix(SIDECAR_SUFFIX))
        raise ModelError(f"{shown} is the metadata of a model, not one: give the model file {show_path(model)}")
    if path.suffix == ".pt2":
        return load_exported(path)
    if path.suffix == ".onnx":
        from inspector.core.models.formats.onnx_file import load_onnx  # onnx and onnxruntime: imported for these only

        return load_onnx(path)
    if path.suffix == ".safetensors":
        raise _weights_only(path)
    if _is_torchscript(path):
        return load_torchscript(path, trust_code=trust_code)
    try:
        read_weights_only(path)
    except CodePickleError:
        if not trust_code:
            raise
        return classifier_for(load_pickled_model(path), path, ModelMetadata(task="pickled torch model"))
    raise _weights_only(path)


def file_kind(path: str | os.PathLike) -> str:
    """What :func:`load_model_file` makes of ``path``, found without running code from it.

    ``"pickle"``: a whole pickled model, refused without ``trust_code``;
    ``"torchscript"``: a TorchScript program, refused without ``trust_code``;
    ``"weights"``: a state dict or safetensors file, which needs an architecture;
    ``"model"``: anything else (a model file, or a file that fails to load for another reason).
    """
    path = Path(path)
    if path.suffix == ".safetensors":
        return "weights"
    if path.suffix in (".pt2", ".onnx") or not path.is_file():
        return "model"
    if _is_torchscript(path):
        return "torchscript"
    try:
        read_weights_only(path)
    except CodePickleError:
        return "pickle"
    except ModelError:
        return "model"
    return "weights"


def _is_torchscript(path: Path) -> bool:
    """A zip archive with ``constants.pkl`` (torch.jit.save writes one; torch.save does not)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.endswith("/constants.pkl") or name == "constants.pkl" for name in archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def _weights_only(path: Path) -> ModelError:
    shown = show_path(path)
    return ModelError(
        f"{shown} holds weights only: give the architecture they belong to, as "
        f"--model ARCHITECTURE --weights {shown} (architectures: `inspector models`)"
    )
