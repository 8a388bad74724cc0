"""An ONNX graph run by torch operations, so that white-box attacks get a gradient.

:func:`convert` turns the graph of an image classifier into an
:class:`OnnxGraphNet`, a module that evaluates the nodes in order with the
torch function of each operator. It covers the operators of common
convolutional classifiers (convolutions, pooling, batch norm, activations,
element-wise arithmetic, reshapes, fully connected layers; :data:`OPS`), in 4-D
NCHW layout, without automatic padding. A graph with any other operator is
refused, and the file then runs in onnxruntime alone (black-box attacks only).

The PyPI converters (onnx2torch, onnx2pytorch) import torchvision, which fails
to load beside the CPU build of torch this tool is installed with; hence this one.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from torch import nn

#: An operator: (its inputs, None for an omitted optional one; its attributes) -> its first output.
Op = Callable[[list, dict], torch.Tensor]


def _pads(attrs: dict, spatial: int = 2) -> tuple[list[int], list[int]]:
    """ONNX ``pads`` (begins then ends) as two lists; refuses automatic padding."""
    if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise ValueError("auto_pad")
    pads = list(attrs.get("pads", [0] * 2 * spatial))
    return pads[:spatial], pads[spatial:]


def _padded(x: torch.Tensor, attrs: dict, value: float = 0.0) -> tuple[torch.Tensor, list[int]]:
    """``x`` padded where the pads are asymmetric, and the symmetric padding left for the torch op."""
    begin, end = _pads(attrs)
    if begin == end:
        return x, begin
    return F.pad(x, [begin[1], end[1], begin[0], end[0]], value=value), [0, 0]


def _conv(inputs: list, attrs: dict) -> torch.Tensor:
    x, weight = inputs[0], inputs[1]
    bias = inputs[2] if len(inputs) > 2 else None
    x, padding = _padded(x, attrs)
    return F.conv2d(
        x,
        weight,
        bias,
        stride=attrs.get("strides", 1),
        padding=padding,
        dilation=attrs.get("dilations", 1),
        groups=attrs.get("group", 1),
    )


def _max_pool(inputs: list, attrs: dict) -> torch.Tensor:
    x, padding = _padded(inputs[0], attrs, value=-math.inf)
    return F.max_pool2d(
        x,
        attrs["kernel_shape"],
        attrs.get("strides", 1),
        padding,
        attrs.get("dilations", 1),
        ceil_mode=bool(attrs.get("ceil_mode", 0)),
    )


def _average_pool(inputs: list, attrs: dict) -> torch.Tensor:
    x, padding = _padded(inputs[0], attrs)
    return F.avg_pool2d(
        x,
        attrs["kernel_shape"],
        attrs.get("strides", 1),
        padding,
        ceil_mode=bool(attrs.get("ceil_mode", 0)),
        count_include_pad=bool(attrs.get("count_include_pad", 0)),
    )


def _gemm(inputs: list, attrs: dict) -> torch.Tensor:
    a = inputs[0].T if attrs.get("transA", 0) else inputs[0]
    b = inputs[1].T if attrs.get("transB", 0) else inputs[1]
    y = attrs.get("alpha", 1.0) * (a @ b)
    return y + attrs.get("beta", 1.0) * inputs[2] if len(inputs) > 2 and inputs[2] is not None else y


def _clip(inputs: list, attrs: dict) -> torch.Tensor:
    low = inputs[1] if len(inputs) > 1 and inputs[1] is not None else attrs.get("min")
    high = inputs[2] if len(inputs) > 2 and inputs[2] is not None else attrs.get("max")
    return torch.clamp(inputs[0], None if low is None else float(low), None if high is None else float(high))


def _axes(inputs: list, attrs: dict) -> list[int] | None:
    """Axes from the attribute (older opsets) or the second input (newer ones)."""
    if len(inputs) > 1 and inputs[1] is not None:
        return [int(a) for a in inputs[1].tolist()]
    return list(attrs["axes"]) if "axes" in attrs else None


def _reduce_mean(inputs: list, attrs: dict) -> torch.Tensor:
    axes = _axes(inputs, attrs)
    keep = bool(attrs.get("keepdims", 1))
    if axes is None:
        return inputs[0].mean(keepdim=keep) if keep else inputs[0].mean()
    return inputs[0].mean(dim=axes, keepdim=keep)


def _reshape(inputs: list, attrs: dict) -> torch.Tensor:
    x, shape = inputs[0], [int(n) for n in inputs[1].tolist()]
    if not attrs.get("allowzero", 0):
        shape = [x.shape[i] if n == 0 else n for i, n in enumerate(shape)]
    return x.reshape(shape)


def _flatten(inputs: list, attrs: dict) -> torch.Tensor:
    x, axis = inputs[0], attrs.get("axis", 1)
    axis = axis % x.dim() if x.dim() else 0
    return x.reshape(math.prod(x.shape[:axis]), -1)


def _batch_norm(inputs: list, attrs: dict) -> torch.Tensor:
    x, scale, bias, mean, var = inputs[:5]
    return F.batch_norm(x, mean, var, scale, bias, training=False, eps=attrs.get("epsilon", 1e-5))


def _squeeze(inputs: list, attrs: dict) -> torch.Tensor:
    axes = _axes(inputs, attrs)
    return inputs[0].squeeze() if axes is None else inputs[0].squeeze(tuple(axes))


def _unsqueeze(inputs: list, attrs: dict) -> torch.Tensor:
    x, axes = inputs[0], _axes(inputs, attrs)
    if axes is None:  # Classifier turns this into a ModelError: the model falls back to onnxruntime
        raise RuntimeError("Unsqueeze without axes")
    rank = x.dim() + len(axes)
    for axis in sorted(a % rank for a in axes):
        x = x.unsqueeze(axis)
    return x


def _gather(inputs: list, attrs: dict) -> torch.Tensor:
    data, index, axis = inputs[0], inputs[1].long(), attrs.get("axis", 0)
    return data.index_select(axis, index.reshape(-1) % data.shape[axis]).reshape(
        data.shape[: axis % data.dim()] + index.shape + data.shape[axis % data.dim() + 1 :]
    )


#: The supported operators by ONNX name.
OPS: dict[str, Op] = {
    "Conv": _conv,
    "MaxPool": _max_pool,
    "AveragePool": _average_pool,
    "GlobalAveragePool": lambda i, a: i[0].mean(dim=(2, 3), keepdim=True),
    "GlobalMaxPool": lambda i, a: i[0].amax(dim=(2, 3), keepdim=True),
    "BatchNormalization": _batch_norm,
    "Gemm": _gemm,
    "MatMul": lambda i, a: torch.matmul(i[0], i[1]),
    "Add": lambda i, a: i[0] + i[1],
    "Sub": lambda i, a: i[0] - i[1],
    "Mul": lambda i, a: i[0] * i[1],
    "Div": lambda i, a: i[0] / i[1],
    "Relu": lambda i, a: F.relu(i[0]),
    "LeakyRelu": lambda i, a: F.leaky_relu(i[0], a.get("alpha", 0.01)),
    "Sigmoid": lambda i, a: torch.sigmoid(i[0]),
    "Tanh": lambda i, a: torch.tanh(i[0]),
    "HardSigmoid": lambda i, a: torch.clamp(a.get("alpha", 0.2) * i[0] + a.get("beta", 0.5), 0, 1),
    "HardSwish": lambda i, a: F.hardswish(i[0]),
    "Erf": lambda i, a: torch.erf(i[0]),
    "Clip": _clip,
    "ReduceMean": _reduce_mean,
    "Reshape": _reshape,
    "Flatten": _flatten,
    "Transpose": lambda i, a: i[0].permute(*a["perm"]) if "perm" in a else i[0].permute(*reversed(range(i[0].dim()))),
    "Squeeze": _squeeze,
    "Unsqueeze": _unsqueeze,
    "Concat": lambda i, a: torch.cat(i, dim=a["axis"]),
    "Shape": lambda i, a: torch.tensor(i[0].shape, dtype=torch.int64),
    "Gather": _gather,
    "Identity": lambda i, a: i[0],
    "Dropout": lambda i, a: i[0],
}


class OnnxGraphNet(nn.Module):
    """The graph of an ONNX image classifier, run by torch: (N, C, H, W) float32 -> its first output.

    The graph's initializers and constants are buffers (they move with ``.to``), so
    the network has no parameters and the gradient flows to the input only.
    """

    def __init__(self, graph: onnx.GraphProto, constants: dict[str, np.ndarray]):
        super().__init__()
        self._buffer_of: dict[str, str] = {}
        for i, (name, value) in enumerate(constants.items()):
            self._buffer_of[name] = f"const{i}"
            self.register_buffer(f"const{i}", torch.from_numpy(np.array(value)), persistent=False)
        fed = set(constants)
        self.input_name = next(i.name for i in graph.input if i.name not in fed)
        self.output_name = graph.output[0].name
        self.nodes = [
            (
                n.op_type,
                list(n.input),
                list(n.output),
                {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute},
            )
            for n in graph.node
            if n.op_type != "Constant"
        ]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        values: dict[str, torch.Tensor | None] = {"": None, self.input_name: x}
        values.update({name: getattr(self, buffer) for name, buffer in self._buffer_of.items()})
        for op, inputs, outputs, attrs in self.nodes:
            out = OPS[op]([values[name] for name in inputs], attrs)
            values[outputs[0]] = out
        result = values[self.output_name]
        if result is None:  # an unnamed output: Classifier turns this into a ModelError
            raise RuntimeError("the graph's output is not computed")
        return result


def convert(model: onnx.ModelProto) -> OnnxGraphNet:
    """The graph of ``model`` as an :class:`OnnxGraphNet`.

    Raises:
        ValueError: the graph uses operators outside :data:`OPS`, automatic padding or a
            non-2-D convolution, has other than one image input, or is not in the default
            ONNX domain; the message names what.
    """
    graph = model.graph
    unsupported = sorted(
        {n.op_type for n in graph.node if n.op_type not in OPS and n.op_type != "Constant"}
        | {f"{n.domain}.{n.op_type}" for n in graph.node if n.domain not in ("", "ai.onnx")}
    )
    if unsupported:
        raise ValueError(
            f"no torch equivalent here for the ONNX operator{'s' if len(unsupported) > 1 else ''} "
            f"{', '.join(unsupported)}"
        )
    constants = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    for node in graph.node:
        if node.op_type == "Constant":
            attr = node.attribute[0]
            if attr.name != "value":
                raise ValueError(f"a Constant node with {attr.name!r} instead of a tensor value")
            constants[node.output[0]] = numpy_helper.to_array(attr.t)
        if node.op_type == "Conv" and len(constants.get(node.input[1], np.empty((0, 0, 0, 0))).shape) != 4:
            raise ValueError("a convolution that is not 2-D")
        if node.op_type in ("Conv", "MaxPool", "AveragePool"):
            try:
                _pads({a.name: onnx.helper.get_attribute_value(a) for a in node.attribute})
            except ValueError:
                raise ValueError(f"automatic padding (auto_pad) in {node.op_type}") from None
    if len([i for i in graph.input if i.name not in constants]) != 1:
        raise ValueError("a graph with more than one input")
    return OnnxGraphNet(graph, constants)
