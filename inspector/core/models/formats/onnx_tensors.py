"""The tensors stored in an ONNX file: their declared sizes against their payload, and their external data.

A tensor's ``dims`` claim a size; its payload (``raw_data``, a typed field, or a
range of an external file) holds the values. :func:`check_tensors` refuses a
tensor whose payload does not hold exactly the values its dims claim (a 3 KB
initializer claiming 40,000 x 40,000 floats), sparse tensors (onnxruntime
makes them dense, a size no payload bounds), and external data anywhere but in
initializers.

:func:`load_external_data` reads the external data of initializers into the
model, so that onnxruntime and the converter get it from memory and never open
a file themselves. A location must be a relative path inside the model's folder
(not absolute, no ``..``, no symbolic link out: :func:`~inspector.core.io.untrusted.inside`),
name a regular file (not ``/dev/zero`` or a FIFO, opened without blocking),
and all of it together hold at most :data:`MAX_EXTERNAL_BYTES`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import onnx

from inspector.core.io.untrusted import inside, read_bytes
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import show_path

#: The most bytes of external data a model may have (torch.onnx.export writes weights to ``MODEL.onnx.data``);
#: a larger model embeds its weights (``external_data=False``).
MAX_EXTERNAL_BYTES = 2**28
#: Element types stored two to a byte.
_PACKED = {onnx.TensorProto.INT4, onnx.TensorProto.UINT4} | (
    {onnx.TensorProto.FLOAT4E2M1} if hasattr(onnx.TensorProto, "FLOAT4E2M1") else set()
)
_COMPLEX = {onnx.TensorProto.COMPLEX64, onnx.TensorProto.COMPLEX128}


def stored_tensors(model: onnx.ModelProto) -> Iterator[tuple[str, onnx.TensorProto]]:
    """Every tensor stored in the main graph, with where it is: initializers, then node attributes."""
    graph = model.graph
    for tensor in graph.initializer:
        yield f"initializer {show_path(tensor.name)}", tensor
    for node in graph.node:
        for attr in node.attribute:
            where = f"attribute {show_path(attr.name)} of node {show_path(node.name or '(unnamed)')} ({node.op_type})"
            if attr.HasField("t"):
                yield where, attr.t
            for tensor in attr.tensors:
                yield where, tensor


def check_tensors(model: onnx.ModelProto, path: str | os.PathLike) -> None:
    """Refuse a stored tensor whose payload does not match its dims, sparse tensors, external data outside initializers.

    Raises:
        ModelError: naming the file, the tensor and both sizes.
    """
    shown = show_path(path)
    if len(model.graph.sparse_initializer) or any(
        a.HasField("sparse_tensor") or len(a.sparse_tensors) for n in model.graph.node for a in n.attribute
    ):
        raise ModelError(
            f"{shown}: sparse tensors are not accepted (onnxruntime makes them dense, at a size "
            "their payload does not bound); store the weights dense"
        )
    for where, tensor in stored_tensors(model):
        if tensor.data_location == onnx.TensorProto.EXTERNAL and not where.startswith("initializer "):
            raise ModelError(f"{shown}: {where} has external data; only initializers may")
        _check_payload(tensor, f"{shown}: {where}")


def expected_bytes(tensor: onnx.TensorProto, where: str) -> int:
    """The bytes a dense payload of ``tensor``'s dims and type holds (strings: their count).

    Raises:
        ModelError: a negative dimension, or an unknown element type.
    """
    count = _element_count(tensor, where)
    if tensor.data_type == onnx.TensorProto.STRING:
        return count
    if tensor.data_type in _PACKED:
        return (count + 1) // 2
    try:
        return count * np.dtype(onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type)).itemsize
    except (KeyError, TypeError, ValueError):
        raise ModelError(f"{where}: unknown element type {tensor.data_type}") from None


def _element_count(tensor: onnx.TensorProto, where: str) -> int:
    if any(d < 0 for d in tensor.dims):
        raise ModelError(f"{where}: negative dimension in {list(tensor.dims)}")
    count = 1
    for d in tensor.dims:
        count *= d
    return count


def _check_payload(tensor: onnx.TensorProto, where: str) -> None:
    size = expected_bytes(tensor, where)
    if tensor.HasField("segment"):
        raise ModelError(f"{where}: a segmented tensor, which onnxruntime does not read")
    if tensor.data_location == onnx.TensorProto.EXTERNAL:
        return  # checked against the file by load_external_data
    if tensor.HasField("raw_data"):
        held, claimed, unit = len(tensor.raw_data), size, "bytes"
    else:
        count = _element_count(tensor, where)
        if tensor.data_type in _COMPLEX:
            count *= 2
        elif tensor.data_type in _PACKED:
            count = (count + 1) // 2
        try:
            field = onnx.helper.tensor_dtype_to_field(tensor.data_type)
        except (KeyError, TypeError, ValueError):
            raise ModelError(f"{where}: unknown element type {tensor.data_type}") from None
        held, claimed, unit = len(getattr(tensor, field)), count, "values"
    if held != claimed:
        raise ModelError(
            f"{where}: its dims {list(tensor.dims)} claim {claimed} {unit} but it holds {held}; "
            "the file is damaged or forged"
        )


def load_external_data(model: onnx.ModelProto, path: str | os.PathLike) -> None:
    """Read the external data of ``model``'s initializers from files in ``path``'s folder into the model.

    Raises:
        ModelError: a location that is absolute, leaves the folder, is not a regular file,
            or a range (offset, length) that does not fit the file or the tensor's dims,
            or more than :data:`MAX_EXTERNAL_BYTES` in all.
    """
    shown = show_path(path)
    folder = Path(path).parent
    files: dict[Path, bytes] = {}
    for tensor in model.graph.initializer:
        if tensor.data_location != onnx.TensorProto.EXTERNAL:
            continue
        where = f"{shown}: initializer {show_path(tensor.name)}"
        info = {entry.key: entry.value for entry in tensor.external_data}
        if not info.get("location"):
            raise ModelError(f"{where}: external data without a location")
        target = inside(folder, info["location"], ModelError, f"{where}: external data")
        if target not in files:
            room = MAX_EXTERNAL_BYTES - sum(len(data) for data in files.values())
            if room <= 0:
                raise ModelError(
                    f"{where}: over {MAX_EXTERNAL_BYTES // 2**20} MB of external data in all; "
                    "export with the weights inside the file (external_data=False)"
                )
            try:
                files[target] = read_bytes(target, ModelError, "external data", room)
            except ModelError as exc:
                raise ModelError(f"{where}: {exc}") from None
        data = files[target]
        size = expected_bytes(tensor, where)
        offset = _natural(info.get("offset", "0"), where, "offset")
        length = _natural(info.get("length", str(size)), where, "length")
        if length != size:
            raise ModelError(
                f"{where}: external data length {length} bytes, but its dims {list(tensor.dims)} "
                f"claim {size}; the file is damaged or forged"
            )
        if offset + length > len(data):
            raise ModelError(
                f"{where}: external data at bytes {offset}..{offset + length} of "
                f"{show_path(info['location'])}, which holds {len(data)}; the file is damaged or forged"
            )
        tensor.raw_data = data[offset : offset + length]
        del tensor.external_data[:]
        tensor.data_location = onnx.TensorProto.DEFAULT


def _natural(text: str, where: str, name: str) -> int:
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        raise ModelError(f"{where}: external data {name} {show_path(text)} is not a whole number of bytes")
    return int(text)
