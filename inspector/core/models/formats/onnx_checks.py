"""Reading an ONNX file that may come from an attacker, and checking its graph's structure before anything runs it.

:func:`read_model` reads the file as a bounded regular file (a FIFO or
``/dev/zero`` named ``x.onnx`` is refused, never read) and parses it without
opening any external data file. :func:`check_structure` then refuses, naming
the node and operator, what no static bound can be put on:

- operators with a subgraph (``If``, ``Loop``, ``Scan``, ``SequenceMap``...):
  their cost depends on values known only while running (a ``Loop`` with trip
  count 2**63, or a condition that never turns false);
- operators outside the default ONNX domain (custom operators, contrib domains);
- model-local functions that call themselves, or that inline to more than
  :data:`MAX_NODES` nodes (they are inlined here, and the graph checked as inlined);
- more than :data:`MAX_NODES` nodes, or a graph that does not feed one image.

Every refusal is a :class:`~inspector.core.util.errors.ModelError` of one line naming the file.
"""

from __future__ import annotations

import os

import onnx
import onnx.inliner

from inspector.core.io.untrusted import read_bytes
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import one_line, show_path

#: The largest ONNX file read, in bytes: protobuf's own limit.
MAX_ONNX_BYTES = 2**31 - 1
#: The most nodes a graph may have, model-local functions inlined (image classifiers have a few thousand).
MAX_NODES = 20_000
#: The most model-local functions a model may have (they nest at most this deep).
MAX_FUNCTIONS = 200
#: The operator domains a graph may use: the default ONNX one.
DOMAINS = ("", "ai.onnx")
#: The hint every "not an ONNX model" message ends with.
EXPORT_HINT = "export one with torch.onnx.export(model, (x,), 'model.onnx', dynamic_shapes=...)"


def read_model(path: str | os.PathLike) -> onnx.ModelProto:
    """The ONNX model in the regular file ``path``, its external data (if any) not read.

    Raises:
        ModelError: not a regular file, over :data:`MAX_ONNX_BYTES`, or not an ONNX model
            (garbage, truncated, protobuf nested too deeply, no graph).
    """
    shown = show_path(path)
    data = read_bytes(path, ModelError, "ONNX model", MAX_ONNX_BYTES)
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except Exception as exc:  # protobuf's DecodeError, or a RecursionError on deep nesting
        raise ModelError(f"{shown}: not an ONNX model onnxruntime can run ({one_line(exc)}); {EXPORT_HINT}") from None
    if not model.HasField("graph") or not model.graph.node or not model.graph.output:
        raise ModelError(
            f"{shown}: not an ONNX model onnxruntime can run (no graph with nodes and an output); {EXPORT_HINT}"
        )
    return model


def check_structure(model: onnx.ModelProto, path: str | os.PathLike) -> onnx.ModelProto:
    """``model`` with its local functions inlined, once its structure can be bounded; see the module's docstring.

    Raises:
        ModelError: naming the node and operator that cannot be bounded.
    """
    shown = show_path(path)
    if model.functions:
        model = _inlined(model, shown)
    graph = model.graph
    if len(graph.node) > MAX_NODES:
        raise ModelError(f"{shown}: {len(graph.node)} nodes, over the {MAX_NODES} an ONNX model may have here")
    for node in graph.node:
        where = f"{shown}: node {show_path(node.name or '(unnamed)')} ({node.op_type})"
        if node.domain not in DOMAINS:
            raise ModelError(
                f"{where} is in the operator domain {show_path(node.domain)}: only standard ONNX "
                "operators are run, no custom or vendor ones"
            )
        graphs = [
            a.name
            for a in node.attribute
            if a.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS) or a.HasField("g") or len(a.graphs)
        ]
        if graphs:
            raise ModelError(
                f"{where} runs the subgraph {show_path(graphs[0])}: control flow (If, Loop, Scan...) "
                "costs what values decide at run time, so no bound can be checked before; "
                "export the classifier without control flow"
            )
    fed = {i.name for i in graph.initializer} | {i.name for i in graph.sparse_initializer}
    images = [i.name for i in graph.input if i.name not in fed]
    if len(images) != 1:
        raise ModelError(
            f"{shown}: the graph has {len(images)} inputs besides its weights; an image classifier "
            "takes one, the image batch (N, C, H, W)"
        )
    return model


def _inlined(model: onnx.ModelProto, shown: str) -> onnx.ModelProto:
    """``model`` with its model-local functions inlined, once they call no function recursively and inline small."""
    functions = {(f.domain, f.name): f for f in model.functions}
    sizes: dict[tuple[str, str], int] = {}

    def size(key: tuple[str, str], calls: tuple) -> int:  # the nodes the function inlines to
        if key in calls:
            raise ModelError(
                f"{shown}: the model-local function {show_path(key[1])} calls itself; recursion cannot be bounded"
            )
        if key not in sizes:
            total = 0
            for node in functions[key].node:
                callee = (node.domain, node.op_type)
                total += size(callee, calls + (key,)) if callee in functions else 1
                if total > MAX_NODES:
                    raise ModelError(
                        f"{shown}: the model-local function {show_path(key[1])} inlines to over "
                        f"{MAX_NODES} nodes, the most an ONNX model may have here"
                    )
            sizes[key] = total
        return sizes[key]

    if len(functions) > MAX_FUNCTIONS:
        raise ModelError(
            f"{shown}: {len(functions)} model-local functions, over the {MAX_FUNCTIONS} an ONNX model may have here"
        )
    total = 0
    for node in model.graph.node:
        callee = (node.domain, node.op_type)
        total += size(callee, ()) if callee in functions else 1
        if total > MAX_NODES:
            raise ModelError(
                f"{shown}: its functions inlined, over {MAX_NODES} nodes, the most an ONNX model may have here"
            )
    try:
        return onnx.inliner.inline_local_functions(model)
    except Exception as exc:  # the inliner's own errors on malformed functions
        raise ModelError(f"{shown}: its model-local functions cannot be inlined ({one_line(exc)})") from None
