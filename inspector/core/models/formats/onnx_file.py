"""ONNX files: run by onnxruntime always, and by torch where the graph converts.

Loading an ONNX file reads a graph and tensors and cannot run code from it.
It may still cost without bound, so before onnxruntime (which folds constants
when it opens a session) or the converter sees it, the file is read as a
bounded regular file (:mod:`.onnx_checks`), its structure checked (no control
flow, no custom domains, bounded functions and node count), its tensors'
payloads matched to their dims and its external data read from inside its
folder only (:mod:`.onnx_tensors`), and the memory and arithmetic of every node
bounded by shape inference (:mod:`.onnx_cost`). Each refusal is one line.
onnxruntime runs every graph but gives no gradient, so on it only black-box
attacks work. Where :func:`~inspector.core.models.formats.onnx_graph.convert` turns the
graph into torch operations and the result gives onnxruntime's logits on the
load-time probe batch (within :data:`TOLERANCE`), the converted module is used
instead, and white-box attacks work too. Otherwise the model stays on
onnxruntime, its ``task`` says "black-box attacks only" and why, and one
:class:`~inspector.core.util.errors.InputWarning` says so.

A fixed input shape in the graph gives the defaults of the input size and
channels; a sidecar (:mod:`inspector.core.models.formats.sidecar`) overrides them.
Export with a dynamic batch dimension: attacks run one image, the probe two.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import onnx
import torch

from inspector.core.models.classifier import Classifier
from inspector.core.models.formats.onnx_checks import EXPORT_HINT, check_structure, read_model
from inspector.core.models.formats.onnx_cost import check_cost
from inspector.core.models.formats.onnx_graph import convert
from inspector.core.models.formats.onnx_runtime import OnnxRuntimeNet, open_session
from inspector.core.models.formats.onnx_tensors import check_tensors, load_external_data
from inspector.core.models.formats.sidecar import read_sidecar, with_metadata
from inspector.core.models.metadata import MAX_SIDE, ModelMetadata
from inspector.core.models.probe import probe_batch
from inspector.core.util.errors import InputWarning, ModelError
from inspector.core.util.messages import one_line, show_path

TASK = "ONNX model"
#: The converted graph's logits may differ from onnxruntime's by this much, relative to the largest logit.
TOLERANCE = 1e-3


def load_onnx(path: Path) -> Classifier:
    """The ONNX model in ``path``: its graph converted to torch where that gives onnxruntime's logits, else onnxruntime.

    Raises:
        ModelError: the file is not an ONNX model onnxruntime can open, its cost cannot be bounded
            or is over the bounds (the message names the node and operator), its external data
            leaves its folder, or its sidecar breaks the schema.
    """
    shown = show_path(path)
    model = check_structure(read_model(path), path)
    check_tensors(model, path)
    meta = read_sidecar(path, _declared(model))
    check_cost(model, meta.channels, meta.input_size, path)
    load_external_data(model, path)
    try:
        session = open_session(model.SerializeToString())
    except Exception as exc:  # onnxruntime raises its own Exception subclasses
        raise ModelError(f"{shown}: not an ONNX model onnxruntime can run ({one_line(exc)}); {EXPORT_HINT}") from None
    runtime = with_metadata(OnnxRuntimeNet(session), str(path), meta)
    try:
        converted = with_metadata(convert(model), str(path), meta)
    except ValueError as exc:
        return _on_runtime(runtime, one_line(exc))
    problem = _disagreement(runtime, converted)
    if problem:
        return _on_runtime(runtime, problem)
    converted.task = f"{meta.task}, run by torch (converted, checked against onnxruntime)"
    return converted


def _on_runtime(runtime: Classifier, reason: str) -> Classifier:
    runtime.task = f"{runtime.task}, run by onnxruntime: black-box attacks only ({reason})"
    warnings.warn(
        InputWarning(f"{show_path(runtime.name)}: runs in onnxruntime, so only the black-box attacks work ({reason})"),
        stacklevel=3,
    )
    return runtime


def _disagreement(runtime: Classifier, converted: Classifier) -> str:
    """Why the converted graph cannot stand in for onnxruntime on the probe batch; empty if it can.

    Where onnxruntime itself fails on the batch, there is nothing to compare: the
    load-time probe then reports that failure.
    """
    x = probe_batch(runtime)
    with torch.no_grad():
        try:
            expected = runtime(x)
        except ModelError:
            return "onnxruntime fails on the probe batch"
        try:
            got = converted(x)
        except ModelError:
            return "the graph converted to torch fails on the probe batch"
    if got.shape != expected.shape:
        return f"the graph converted to torch gives shape {tuple(got.shape)}, onnxruntime {tuple(expected.shape)}"
    gap = float((got.float() - expected.float()).abs().max())
    scale = float(expected.abs().max()) + 1.0
    if not gap <= TOLERANCE * scale:
        return f"the graph converted to torch differs from onnxruntime by {gap:.3g} in the logits"
    return ""


def _declared(model: onnx.ModelProto) -> ModelMetadata:
    """Defaults from the graph's input, where it has a fixed channel count (1 or 3) and image size."""
    inputs = [i for i in model.graph.input if i.name not in {init.name for init in model.graph.initializer}]
    dims = inputs[0].type.tensor_type.shape.dim if inputs else []
    if len(dims) == 4 and all(d.HasField("dim_value") for d in dims[1:]):
        c, h, w = (d.dim_value for d in dims[1:])
        if c in (1, 3) and 1 <= h <= MAX_SIDE and 1 <= w <= MAX_SIDE:
            return ModelMetadata(input_size=(h, w), channels=c, task=TASK)
    return ModelMetadata(task=TASK)
