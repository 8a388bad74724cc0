"""What running an ONNX graph costs, bounded before onnxruntime or torch runs it.

onnxruntime folds constants when it creates a session, and so allocates: a 3 KB
``ConstantOfShape`` of 32768 x 32768 costs 4 GB there. :func:`check_cost`
therefore runs ONNX shape inference, with data propagation, on the graph fed
the image batch the tool feeds it, (N, C, H, W) with the batch N left a symbol,
and requires, before anything runs:

- every value a node makes to be a tensor whose every dimension is known, a
  number or N itself (a shape computed from N, such as N * N, or from data,
  such as ``NonZero``'s, could be anything at run time);
- at most one dimension N per value, so memory grows linearly with the batch;
- at the probe batch (:data:`~inspector.core.models.probe.PROBE_BATCH`), each value
  to hold at most :data:`MAX_VALUE_BYTES` and all of them together
  :data:`MAX_TOTAL_BYTES` (the converted graph keeps them all at once);
- the arithmetic of the convolutions, products and pooling to stay within
  :data:`MAX_FLOPS`, so the load-time runs end well within a minute;
- every operator to be one whose cost is known here (:data:`LINEAR`, :data:`_HEAVY`).

The shapes a file declares for its values are dropped first: they are claims,
not facts. Small constant computations (pads and shapes built from constants,
as torch's older exporter writes them) are folded (:mod:`.onnx_fold`) where
inference alone leaves them unknown.
"""

from __future__ import annotations

import math
import os
from typing import TypeGuard

import onnx
from onnx import numpy_helper, shape_inference

from inspector.core.models.formats.onnx_fold import fold_constants
from inspector.core.models.formats.onnx_tensors import expected_bytes
from inspector.core.models.probe import PROBE_BATCH
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import one_line, show_path

#: The most one value may hold at the probe batch, in bytes.
MAX_VALUE_BYTES = 2**28
#: The most all values together may hold at the probe batch, in bytes (EfficientNet-Lite0: about 110 MB).
MAX_TOTAL_BYTES = 2**29
#: The most arithmetic operations one run on the probe batch may take (EfficientNet-Lite0: about 1.6e9).
MAX_FLOPS = 2**36
#: The symbol the batch dimension stands for during inference.
BATCH = "__inspector_batch__"
#: The most rounds of inference after declaring the shapes of reshapes.
MAX_ROUNDS = 8
#: Initializers with at most this many values keep their data during inference (shapes, axes, pads...).
SMALL = 256

#: A value's shape from inference: its dims (None for the batch, -1 where unknown) and its ONNX element type.
Shape = tuple[list[int | None], int]

#: Operators whose cost is about the size of their inputs and outputs.
LINEAR = frozenset(
    [
        "Abs",
        "Acos",
        "Acosh",
        "Asin",
        "Asinh",
        "Atan",
        "Atanh",
        "Ceil",
        "Cos",
        "Cosh",
        "Elu",
        "Erf",
        "Exp",
        "Floor",
        "Gelu",
        "HardSigmoid",
        "HardSwish",
        "Identity",
        "IsInf",
        "IsNaN",
        "LeakyRelu",
        "Log",
        "Mish",
        "Neg",
        "Not",
        "Reciprocal",
        "Relu",
        "Round",
        "Selu",
        "Celu",
        "Sigmoid",
        "Sign",
        "Sin",
        "Sinh",
        "Softplus",
        "Softsign",
        "Sqrt",
        "Tan",
        "Tanh",
        "ThresholdedRelu",
        "Shrink",
        "Cast",
        "CastLike",
        "Clip",
        "Dropout",
        "PRelu",
        "BitwiseNot",
        "Swish",
        "Add",
        "Sub",
        "Mul",
        "Div",
        "Pow",
        "Mod",
        "Max",
        "Min",
        "Mean",
        "Sum",
        "And",
        "Or",
        "Xor",
        "Equal",
        "Greater",
        "GreaterOrEqual",
        "Less",
        "LessOrEqual",
        "Where",
        "BitShift",
        "BitwiseAnd",
        "BitwiseOr",
        "BitwiseXor",
        "BatchNormalization",
        "InstanceNormalization",
        "LayerNormalization",
        "GroupNormalization",
        "LpNormalization",
        "MeanVarianceNormalization",
        "RMSNormalization",
        "Softmax",
        "LogSoftmax",
        "Hardmax",
        "Reshape",
        "Flatten",
        "Squeeze",
        "Unsqueeze",
        "Transpose",
        "Concat",
        "Split",
        "Slice",
        "Gather",
        "GatherElements",
        "GatherND",
        "Expand",
        "Tile",
        "Pad",
        "Shape",
        "Size",
        "ConstantOfShape",
        "Constant",
        "Range",
        "DepthToSpace",
        "SpaceToDepth",
        "Trilu",
        "OneHot",
        "EyeLike",
        "ArgMax",
        "ArgMin",
        "CumSum",
        "ScatterElements",
        "ScatterND",
        "ReduceMax",
        "ReduceMin",
        "ReduceMean",
        "ReduceSum",
        "ReduceProd",
        "ReduceL1",
        "ReduceL2",
        "ReduceLogSum",
        "ReduceLogSumExp",
        "ReduceSumSquare",
        "GlobalAveragePool",
        "GlobalMaxPool",
        "GlobalLpPool",
        "RandomNormal",
        "RandomUniform",
        "RandomNormalLike",
        "RandomUniformLike",
        "Bernoulli",
        "QuantizeLinear",
        "DequantizeLinear",
        "DynamicQuantizeLinear",
    ]
)
#: Operators whose cost per output value is a neighbourhood: Resize's cubic one, 4 x 4.
_RESIZE = {"Resize": 16, "Upsample": 16}


def check_cost(model: onnx.ModelProto, channels: int, input_size: tuple[int, int], path: str | os.PathLike) -> None:
    """Refuse ``model`` (structure already checked) where feeding it images of ``channels`` x ``input_size`` is unbounded.

    Raises:
        ModelError: one line naming the file, the node, its operator and the bound.
    """
    shown = show_path(path)
    light = _inference_copy(model, channels, input_size)
    shapes = _infer(light, shown)
    if _incomplete(light, shapes):
        light = fold_constants(light, SMALL)
        shapes = _infer(light, shown)
    for _ in range(MAX_ROUNDS):
        if not _incomplete(light, shapes) or not _hint_shapes(light, shapes):
            break
        shapes = _infer(light, shown)
    total = flops = 0
    image = light.graph.input[0].name
    total += _bytes(shapes[image])
    for node in model.graph.node:
        where = f"{shown}: node {show_path(node.name or '(unnamed)')} ({node.op_type})"
        if node.op_type not in LINEAR and node.op_type not in _RESIZE and node.op_type not in _HEAVY:
            raise ModelError(
                f"{where}: the operator {node.op_type} is not one whose cost this tool can bound before running it"
            )
        for out in node.output:
            if not out:
                continue
            shape = shapes.get(out)
            if not _known(shape):
                raise ModelError(
                    f"{where}: the shape of its output {show_path(out)} is not known before running "
                    "the graph (it depends on data, or is computed from the batch size), so its "
                    "memory cannot be bounded; export with static shapes except the batch"
                )
            if shape[0].count(None) > 1:
                raise ModelError(f"{where}: its output {show_path(out)} grows with the square of the batch size")
            size = _bytes(shape)
            if size > MAX_VALUE_BYTES:
                raise ModelError(
                    f"{where}: its output {show_path(out)} of shape {_show(shape)} would take "
                    f"{_mb(size)} for {PROBE_BATCH} images, over the {_mb(MAX_VALUE_BYTES)} a value "
                    "may take"
                )
            total += size
        if total > MAX_TOTAL_BYTES:
            raise ModelError(
                f"{where}: the graph's values reach {_mb(total)} for {PROBE_BATCH} images here, over the "
                f"{_mb(MAX_TOTAL_BYTES)} all values may take"
            )
        flops += _flops(node, shapes)
        if flops > MAX_FLOPS:
            raise ModelError(
                f"{where}: the graph reaches {flops:.3g} arithmetic operations for {PROBE_BATCH} "
                f"images here, over the {MAX_FLOPS:.3g} a model may take"
            )


def _incomplete(model: onnx.ModelProto, shapes: dict) -> bool:
    return any(not _known(shapes.get(out)) for node in model.graph.node for out in node.output if out)


def _hint_shapes(model: onnx.ModelProto, shapes: dict) -> bool:
    """Declare the output shape of each ``Reshape`` or ``Tile`` inference left unknown where it follows
    from its constant target or repeats.

    ONNX inference cannot resolve a ``-1`` in a constant target such as (-1, 3136)
    when the input's batch is a symbol, nor tile a symbolic batch once; the batch
    (at most one, :func:`check_cost`) cancels out here. Returns whether a shape was declared.
    """
    maker = {out: node for node in model.graph.node for out in node.output}
    constants = {t.name: t for t in model.graph.initializer}
    declared = False
    for node in model.graph.node:
        if node.op_type not in ("Reshape", "Tile") or len(node.input) < 2 or _known(shapes.get(node.output[0])):
            continue
        source = shapes.get(node.input[0])
        dims = _shape_value(node.input[1], maker, constants, shapes, depth=0)
        if node.op_type == "Tile":
            repeats = [r for r in dims or [] if r is not None and r >= 0]
            if (
                not _known(source)
                or dims is None
                or len(repeats) != len(dims)  # a repeat that is the batch, or negative
                or len(repeats) != len(source[0])
                or any(d is None and r != 1 for d, r in zip(source[0], repeats, strict=True))
            ):
                continue
            tiled = [BATCH if d is None else d * r for d, r in zip(source[0], repeats, strict=True)]
            model.graph.value_info.append(onnx.helper.make_tensor_value_info(node.output[0], source[1], tiled))
            declared = True
            continue
        if not _known(source) or dims is None or source[0].count(None) != 1:
            continue
        allowzero = any(a.name == "allowzero" and a.i for a in node.attribute)
        if not allowzero:
            dims = [source[0][i] if d == 0 and i < len(source[0]) else d for i, d in enumerate(dims)]
        if dims.count(-1) != 1 or dims.count(None) > 1 or any(d is not None and d < -1 for d in dims):
            continue
        rest = math.prod(d for d in dims if d is not None and d != -1)
        held = math.prod(d for d in source[0] if d is not None)
        if None in dims:  # the batch stays where the target puts it; -1 is a number
            if rest <= 0 or held % rest:
                continue
            dims = [held // rest if d == -1 else d for d in dims]
        elif rest <= 0 or held != rest:  # else the -1 must be the batch itself
            continue
        info = onnx.helper.make_tensor_value_info(
            node.output[0], source[1], [BATCH if d == -1 or d is None else d for d in dims]
        )
        model.graph.value_info.append(info)
        declared = True
    return declared


def _shape_value(name: str, maker: dict, constants: dict, shapes: dict, depth: int) -> list[int | None] | None:
    """The value of the small integer tensor ``name`` (None for the batch) where it is a constant or is
    built from shapes by Shape, Gather, Slice, Unsqueeze, Squeeze, Cast and Concat; else None."""
    if name in constants:
        value = numpy_helper.to_array(constants[name])
        return [int(v) for v in value.reshape(-1)] if value.dtype.kind in "iu" and value.size <= SMALL else None
    node = maker.get(name)
    if node is None or depth > 16:
        return None
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    parts = [_shape_value(i, maker, constants, shapes, depth + 1) if i else None for i in node.input[:1]]
    if node.op_type == "Shape":
        shape = shapes.get(node.input[0])
        return shape[0][attrs.get("start", 0) : attrs.get("end")] if _known(shape) else None
    if node.op_type == "Constant" and "value" in attrs:
        value = numpy_helper.to_array(attrs["value"])
        return [int(v) for v in value.reshape(-1)] if value.dtype.kind in "iu" and value.size <= SMALL else None
    if node.op_type in ("Unsqueeze", "Squeeze", "Cast", "Identity"):
        return parts[0]
    if node.op_type == "Concat":
        pieces = [_shape_value(i, maker, constants, shapes, depth + 1) for i in node.input]
        known = [p for p in pieces if p is not None]
        return [d for p in known for d in p] if len(known) == len(pieces) else None
    if node.op_type == "Gather" and len(node.input) == 2 and not attrs.get("axis", 0):
        source, index = parts[0], _shape_value(node.input[1], maker, constants, shapes, depth + 1)
        if source is None or index is None:
            return None
        picked = [i for i in index if i is not None and -len(source) <= i < len(source)]  # None: a batch index
        return [source[i] for i in picked] if len(picked) == len(index) else None
    return None


def _inference_copy(model: onnx.ModelProto, channels: int, input_size: tuple[int, int]) -> onnx.ModelProto:
    """The graph to infer shapes on: the image input (N, C, H, W), large weights as typed inputs, no declared shapes."""
    graph = model.graph
    weights = {t.name for t in graph.initializer}
    image = next(i for i in graph.input if i.name not in weights)
    light = onnx.ModelProto(ir_version=model.ir_version, opset_import=model.opset_import)
    light.graph.node.extend(graph.node)
    dims: list[int | str] = [BATCH, channels, *input_size]
    light.graph.input.append(onnx.helper.make_tensor_value_info(image.name, onnx.TensorProto.FLOAT, dims))
    for tensor in graph.initializer:
        if math.prod(tensor.dims) <= SMALL and tensor.data_location != onnx.TensorProto.EXTERNAL:
            light.graph.initializer.append(tensor)
        else:
            light.graph.input.append(onnx.helper.make_tensor_value_info(tensor.name, tensor.data_type, tensor.dims))
    for out in graph.output:
        light.graph.output.append(onnx.helper.make_empty_tensor_value_info(out.name))
    return light


def _infer(model: onnx.ModelProto, shown: str) -> dict[str, tuple[list[int | None], int]]:
    """Each value's (dims, None for the batch; element type) by shape inference; absent where not a tensor."""
    try:
        inferred = shape_inference.infer_shapes(model, check_type=True, strict_mode=True, data_prop=True)
    except Exception as exc:  # onnx raises InferenceError, ValidationError or a plain RuntimeError
        raise ModelError(
            f"{shown}: not a valid ONNX graph for images of the model's input size ({one_line(exc)})"
        ) from None
    shapes: dict[str, Shape] = {t.name: ([int(d) for d in t.dims], t.data_type) for t in inferred.graph.initializer}
    for info in [*inferred.graph.input, *inferred.graph.value_info, *inferred.graph.output]:
        kind = info.type.WhichOneof("value")
        if kind != "tensor_type" or not info.type.tensor_type.HasField("shape"):
            continue
        dims: list[int | None] = []
        for d in info.type.tensor_type.shape.dim:
            if d.HasField("dim_value") and d.dim_value >= 0:
                dims.append(d.dim_value)
            elif d.HasField("dim_param") and d.dim_param == BATCH:
                dims.append(None)
            else:
                dims.append(-1)
        shapes[info.name] = (dims, info.type.tensor_type.elem_type)
    return shapes


def _known(shape: Shape | None) -> TypeGuard[Shape]:
    """Whether inference gave ``shape``, with every dimension but the batch."""
    return shape is not None and -1 not in shape[0]


def _count(dims: list[int | None]) -> int:
    return math.prod(PROBE_BATCH if d is None else d for d in dims)


def _bytes(shape: tuple[list[int | None], int]) -> int:
    dims, elem_type = shape
    tensor = onnx.TensorProto(data_type=elem_type, dims=[PROBE_BATCH if d is None else d for d in dims])
    try:
        return expected_bytes(tensor, "")
    except ModelError:
        return _count(dims) * 8


def _flops(node: onnx.NodeProto, shapes: dict) -> int:
    """About the arithmetic ``node`` takes: per output value, the size of the neighbourhood it reads."""

    def count(i: int) -> int:
        name = node.input[i] if i < len(node.input) else ""
        return _count(shapes[name][0]) if name in shapes else 0

    def dims(i: int) -> list[int]:
        name = node.input[i] if i < len(node.input) else ""
        return [PROBE_BATCH if d is None else d for d in shapes[name][0]] if name in shapes else []

    out = sum(_count(shapes[o][0]) for o in node.output if o in shapes)
    inputs = sum(count(i) for i in range(len(node.input)))
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
    op = node.op_type
    if op in ("Conv", "ConvInteger", "QLinearConv"):
        weight = dims(3 if op == "QLinearConv" else 1)
        return 2 * out * math.prod(weight[1:]) + inputs
    if op == "ConvTranspose":
        return 2 * count(0) * math.prod(dims(1)[1:]) + out
    if op in ("MatMul", "MatMulInteger", "QLinearMatMul"):
        return 2 * out * max(1, (dims(0) or [1])[-1]) + inputs
    if op == "Gemm":
        a = dims(0) or [1, 1]
        return 2 * out * max(1, a[0] if attrs.get("transA", 0) else a[-1]) + inputs
    if op in ("MaxPool", "AveragePool", "LpPool"):
        return out * math.prod(attrs.get("kernel_shape", [1])) + inputs
    if op == "LRN":
        return out * max(1, int(attrs.get("size", 1))) + inputs
    return out * _RESIZE.get(op, 1) + inputs


#: Operators with their own cost in :func:`_flops`.
_HEAVY = frozenset(
    {
        "Conv",
        "ConvInteger",
        "QLinearConv",
        "ConvTranspose",
        "MatMul",
        "MatMulInteger",
        "QLinearMatMul",
        "Gemm",
        "MaxPool",
        "AveragePool",
        "LpPool",
        "LRN",
    }
)


def _show(shape) -> str:
    return "(" + ", ".join("N" if d is None else str(d) for d in shape[0]) + ")"


def _mb(n: int) -> str:
    return f"{n / 2**20:,.0f} MB"
