"""Folding an ONNX graph's small constant computations, so that shape inference can see through them.

torch's older exporter builds the pads of ``F.pad`` and some shapes from
constants by a chain of ``ConstantOfShape``, ``Concat``, ``Reshape``, ``Slice``,
``Transpose`` and ``Cast`` nodes, which ONNX shape inference does not evaluate.
:func:`fold_constants` evaluates such chains with the ONNX reference
implementation, one node at a time, only where every input is a constant of at
most ``small`` values, the operator cannot make a large output from a small
input unchecked (:data:`FOLDABLE`), and the output itself stays small.
"""

from __future__ import annotations

import math

import numpy as np
import onnx
from onnx import numpy_helper

#: Operators folded here: their output is bounded by their inputs, or checked before evaluating.
FOLDABLE = frozenset(
    [
        "Identity",
        "Cast",
        "Reshape",
        "Transpose",
        "Slice",
        "Concat",
        "Gather",
        "Unsqueeze",
        "Squeeze",
        "Add",
        "Sub",
        "Mul",
        "Div",
        "Neg",
        "Equal",
        "Where",
        "Shape",
        "Size",
        "Constant",
        "ConstantOfShape",
        "Range",
        "Abs",
        "Max",
        "Min",
        "Floor",
        "Ceil",
        "Less",
        "Greater",
        "Not",
    ]
)


def fold_constants(model: onnx.ModelProto, small: int) -> onnx.ModelProto:
    """A copy of ``model`` (weights outside ``model.graph.initializer`` untouched) with small constant nodes folded.

    Nodes that cannot be folded are kept as they are; nothing here raises on a hostile graph.
    """
    from onnx.reference import ReferenceEvaluator  # imported only when a graph needs folding

    values = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    folded = onnx.ModelProto()
    folded.CopyFrom(model)
    del folded.graph.node[:]
    for node in model.graph.node:
        inputs = [values.get(name) for name in node.input if name]
        if not _foldable(node, inputs, small):
            folded.graph.node.append(node)
            continue
        try:
            outputs = _evaluate(ReferenceEvaluator, node, [name for name in node.input if name], inputs, model)
        except Exception:  # the reference implementation's errors: keep the node for onnxruntime to judge
            folded.graph.node.append(node)
            continue
        if any(np.asarray(out).size > small for out in outputs):
            folded.graph.node.append(node)
            continue
        for name, out in zip([o for o in node.output if o], outputs, strict=True):  # one output per named one
            values[name] = np.asarray(out)
            folded.graph.initializer.append(numpy_helper.from_array(np.asarray(out), name))
    return folded


def _foldable(node: onnx.NodeProto, inputs: list, small: int) -> bool:
    if node.op_type not in FOLDABLE or node.domain not in ("", "ai.onnx"):
        return False
    if any(
        a.type
        not in (
            onnx.AttributeProto.INT,
            onnx.AttributeProto.INTS,
            onnx.AttributeProto.FLOAT,
            onnx.AttributeProto.TENSOR,
        )
        for a in node.attribute
    ):
        return False
    if any(x is None or x.size > small or x.dtype == object for x in inputs):
        return False
    if math.prod(max(1, x.size) for x in inputs) > small**2:  # a broadcast of them all stays small
        return False
    if node.op_type == "Constant":
        return all(a.name == "value" and math.prod(a.t.dims) <= small for a in node.attribute)
    if node.op_type == "ConstantOfShape":
        return (
            bool(inputs)
            and inputs[0].ndim == 1
            and all(int(d) >= 0 for d in inputs[0])
            and math.prod(int(d) for d in inputs[0]) <= small
        )
    if node.op_type == "Range":
        if len(inputs) != 3 or any(x.size != 1 for x in inputs) or float(inputs[2].reshape(())) == 0:
            return False
        start, limit, delta = (float(x.reshape(())) for x in inputs)
        count = (limit - start) / delta
        return math.isfinite(count) and count <= small
    return True


def _evaluate(evaluator, node: onnx.NodeProto, names: list[str], inputs: list, model: onnx.ModelProto) -> list:
    graph = onnx.helper.make_graph(
        [node],
        "fold",
        [
            onnx.helper.make_tensor_value_info(n, onnx.helper.np_dtype_to_tensor_dtype(x.dtype), x.shape)
            for n, x in zip(names, inputs, strict=True)
        ],
        [onnx.helper.make_empty_tensor_value_info(o) for o in node.output if o],
    )
    single = onnx.helper.make_model(graph, opset_imports=model.opset_import, ir_version=model.ir_version)
    return evaluator(single).run(None, dict(zip(names, inputs, strict=True)))
