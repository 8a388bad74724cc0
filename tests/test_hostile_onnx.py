"""Hostile ONNX files: each is refused in one line, within 2 GB and 60 s, before onnxruntime or torch runs it.

Every file is a real ONNX model built here with ``onnx.helper``. A few go through
the ``inspector classify`` command in a subprocess (measured: exit 2, one stderr
line, peak memory and time); the rest through ``load_model``.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hostile import run_inspector
from onnx import TensorProto, helper, numpy_helper

from inspector.core.io.resources import resource_path
from inspector.core.models.loading import load_model
from inspector.core.util.errors import ModelError

DIGIT = str(resource_path("images", "mnist-3.png"))
OPSET = [helper.make_opsetid("", 20)]
IMAGE = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 28, 28])
LOGITS = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)


def classifier_tail(source: str) -> tuple[list, list]:
    """Nodes and weights that turn any float tensor ``source`` into (N, 10) logits: a global pool and a product."""
    weight = numpy_helper.from_array(np.ones((1, 10), np.float32), "w")
    nodes = [
        helper.make_node("ReduceMean", [source], ["pooled"], keepdims=0, name="pool"),
        helper.make_node("ReduceMean", ["x", "axes123"], ["mx"], keepdims=1, name="image_mean"),
        helper.make_node("Reshape", ["mx", "flat"], ["m2"], name="flatten"),
        helper.make_node("Add", ["m2", "pooled"], ["m3"], name="mix"),
        helper.make_node("MatMul", ["m3", "w"], ["y"], name="logits"),
    ]
    return nodes, [
        weight,
        numpy_helper.from_array(np.array([-1, 1], np.int64), "flat"),
        numpy_helper.from_array(np.array([1, 2, 3], np.int64), "axes123"),
    ]


def save(path, nodes, initializers=(), inputs=(IMAGE,), opsets=OPSET, **model_fields):
    graph = helper.make_graph(list(nodes), "hostile", list(inputs), [LOGITS], list(initializers))
    model = helper.make_model(graph, opset_imports=opsets, ir_version=10, **model_fields)
    path.write_bytes(model.SerializeToString())
    return path


def blowup(path, op: str):
    """A tiny graph whose ``op`` node makes a 32768 x 32768 float tensor (4 GB) from a few bytes."""
    big = numpy_helper.from_array(np.array([32768, 32768], np.int64), "big")
    if op == "ConstantOfShape":
        first = [
            helper.make_node(
                "ConstantOfShape", ["big"], ["huge"], name="blow", value=numpy_helper.from_array(np.ones(1, np.float32))
            )
        ]
        extra = [big]
    elif op == "Expand":
        first = [helper.make_node("Expand", ["one", "big"], ["huge"], name="blow")]
        extra = [big, numpy_helper.from_array(np.ones((1, 1), np.float32), "one")]
    elif op == "Tile":
        first = [helper.make_node("Tile", ["one", "big"], ["huge"], name="blow")]
        extra = [big, numpy_helper.from_array(np.ones((1, 1), np.float32), "one")]
    elif op == "Pad":
        first = [helper.make_node("Pad", ["x", "pads"], ["huge"], name="blow")]
        extra = [numpy_helper.from_array(np.array([0, 0, 0, 0, 0, 0, 30000, 30000], np.int64), "pads")]
    elif op == "Resize":
        first = [helper.make_node("Resize", ["x", "", "scales"], ["huge"], name="blow")]
        extra = [numpy_helper.from_array(np.array([1, 1, 2000, 2000], np.float32), "scales")]
    elif op == "RandomNormal":
        first = [helper.make_node("RandomNormal", [], ["huge"], name="blow", shape=[32768, 32768])]
        extra = []
    elif op == "Range":
        first = [helper.make_node("Range", ["start", "limit", "delta"], ["huge"], name="blow")]
        extra = [
            numpy_helper.from_array(np.array(v, np.float32), n) for n, v in (("start", 0), ("limit", 2e9), ("delta", 1))
        ]
    else:
        raise ValueError(op)
    tail, weights = classifier_tail("huge")
    return save(path, first + tail, extra + weights)


def loop(path, trip_count: int | None, forever: bool):
    """A Loop of 2**63 iterations, or one whose condition never turns false."""
    body = helper.make_graph(
        [helper.make_node("Identity", ["cond_in"], ["cond_out"]), helper.make_node("Identity", ["v_in"], ["v_out"])],
        "body",
        [
            helper.make_tensor_value_info("i", TensorProto.INT64, []),
            helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
            helper.make_tensor_value_info("v_in", TensorProto.FLOAT, None),
        ],
        [
            helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
            helper.make_tensor_value_info("v_out", TensorProto.FLOAT, None),
        ],
    )
    weights = [numpy_helper.from_array(np.array(True), "true")]
    if trip_count is not None:
        weights.append(numpy_helper.from_array(np.array(trip_count, np.int64), "trips"))
    node = helper.make_node(
        "Loop", ["trips" if trip_count is not None else "", "true", "x"], ["looped"], name="spin", body=body
    )
    tail, tail_weights = classifier_tail("looped")
    return save(path, [node] + tail, weights + tail_weights)


def external(path, location: str, *, length: int | None = None, offset: int = 0, dims=(1, 10)):
    """A classifier whose weight ``w`` lives in external data at ``location``."""
    tail, weights = classifier_tail("x")
    weight = TensorProto(name="w", data_type=TensorProto.FLOAT, dims=list(dims))
    weight.data_location = TensorProto.EXTERNAL
    entries = {"location": location, "offset": str(offset)}
    if length is not None:
        entries["length"] = str(length)
    for key, value in entries.items():
        weight.external_data.add(key=key, value=value)
    return save(path, tail, [weight, *weights[1:]])


def refused(path, *phrases: str) -> str:
    with pytest.raises(ModelError) as caught:
        load_model(path, "cpu")
    message = str(caught.value)
    assert "\n" not in message and path.name in message, message
    for phrase in phrases:
        assert phrase in message, (phrase, message)
    return message


# --- through the command, measured in a subprocess ------------------------------------------------


@pytest.mark.parametrize("op", ["ConstantOfShape", "Tile"])
def test_tiny_graph_making_a_huge_tensor_is_refused_before_onnxruntime(tmp_path, op):
    path = blowup(tmp_path / "blow.onnx", op)
    assert path.stat().st_size < 3000
    run_inspector("classify", DIGIT, "--model", str(path)).assert_refused("blow.onnx", f"node blow ({op})", "MB")


@pytest.mark.parametrize("trips, forever", [(2**63 - 1, False), (None, True)], ids=["2**63", "never-false"])
def test_loop_is_refused_not_run(tmp_path, trips, forever):
    path = loop(tmp_path / "spin.onnx", trips, forever)
    run_inspector("classify", DIGIT, "--model", str(path)).assert_refused(
        "spin.onnx", "node spin (Loop)", "control flow"
    )


def test_external_data_outside_the_folder_is_never_read(tmp_path):
    # the outside file holds exactly 40 bytes, what the weight asks for: read, it would load
    outside = tmp_path / "secret.bin"
    outside.write_bytes(np.arange(10, dtype=np.float32).tobytes())
    folder = tmp_path / "model"
    folder.mkdir()
    path = external(folder / "ext.onnx", "../secret.bin", length=40)
    run_inspector("classify", DIGIT, "--model", str(path)).assert_refused("ext.onnx", "initializer w", "leads outside")


def test_external_data_from_a_fifo_in_the_folder_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.bin")
    path = external(tmp_path / "fifo.onnx", "pipe.bin", length=40)
    run_inspector("classify", DIGIT, "--model", str(path)).assert_refused("pipe.bin", "not a regular file")


def test_a_fifo_named_like_a_model_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / "pipe.onnx")
    run_inspector("classify", DIGIT, "--model", str(tmp_path / "pipe.onnx")).assert_refused(
        "pipe.onnx", "not a regular file"
    )


# --- through load_model ---------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["Expand", "Pad", "Resize", "RandomNormal", "Range"])
def test_other_blowups_are_refused(tmp_path, op):
    refused(blowup(tmp_path / "blow.onnx", op), f"node blow ({op})")


def test_external_data_absolute_path_is_refused(tmp_path):
    refused(external(tmp_path / "abs.onnx", "/etc/passwd", length=40), "/etc/passwd", "relative")


def test_external_data_through_a_symlink_out_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "w.bin").write_bytes(np.ones(10, np.float32).tobytes())
    folder = tmp_path / "model"
    folder.mkdir()
    os.symlink(outside, folder / "data")
    refused(external(folder / "link.onnx", "data/w.bin", length=40), "leads outside")
    os.symlink("/dev/zero", folder / "zero.bin")
    refused(external(folder / "zero.onnx", "zero.bin", length=40), "leads outside")
    refused(external(folder / "dot.onnx", ".", length=40), "is a folder")


def test_external_data_range_past_the_file_is_refused(tmp_path):
    (tmp_path / "w.bin").write_bytes(np.ones(10, np.float32).tobytes())
    refused(external(tmp_path / "short.onnx", "w.bin", length=40, offset=8), "holds 40")
    refused(external(tmp_path / "long.onnx", "w.bin", length=80), "length 80 bytes", "claim 40")


def test_honest_external_data_inside_the_folder_loads(tmp_path):
    (tmp_path / "w.bin").write_bytes(np.ones(10, np.float32).tobytes())
    model = load_model(external(tmp_path / "fine.onnx", "w.bin", length=40), "cpu")
    assert model.num_classes == 10


def test_initializer_claiming_more_than_its_payload_is_refused(tmp_path):
    tail, weights = classifier_tail("x")
    liar = TensorProto(
        name="w", data_type=TensorProto.FLOAT, dims=[40000, 40000], raw_data=np.ones(10, np.float32).tobytes()
    )
    refused(save(tmp_path / "liar.onnx", tail, [liar, *weights[1:]]), "initializer w", "claim 6400000000 bytes")


def test_constant_attribute_claiming_more_than_its_payload_is_refused(tmp_path):
    tail, weights = classifier_tail("c")
    value = TensorProto(name="v", data_type=TensorProto.FLOAT, dims=[32768, 32768], float_data=[1.0, 2.0])
    refused(
        save(tmp_path / "const.onnx", [helper.make_node("Constant", [], ["c"], name="k", value=value)] + tail, weights),
        "node k (Constant)",
    )


def test_garbage_truncated_and_deeply_nested_protobufs_are_refused(tmp_path):
    (tmp_path / "junk.onnx").write_bytes(os.urandom(4096))
    refused(tmp_path / "junk.onnx", "not an ONNX model")
    whole = blowup(tmp_path / "whole.onnx", "Tile").read_bytes()
    (tmp_path / "cut.onnx").write_bytes(whole[: len(whole) // 2])
    refused(tmp_path / "cut.onnx", "not an ONNX model")
    # graph -> node -> attribute -> graph -> ... 2,000 levels deep, far past protobuf's nesting limit
    content = b""
    for _ in range(2000):
        attribute = b"\x32" + _varint(len(content)) + content  # AttributeProto.g
        node = b"\x2a" + _varint(len(attribute)) + attribute  # NodeProto.attribute
        content = b"\x0a" + _varint(len(node)) + node  # GraphProto.node
    (tmp_path / "deep.onnx").write_bytes(b"\x3a" + _varint(len(content)) + content)  # ModelProto.graph
    refused(tmp_path / "deep.onnx", "not an ONNX model")


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def test_if_scan_and_custom_domains_are_refused(tmp_path):
    branch = helper.make_graph(
        [helper.make_node("Identity", ["x"], ["b"])],
        "branch",
        [],
        [helper.make_tensor_value_info("b", TensorProto.FLOAT, None)],
    )
    tail, weights = classifier_tail("chosen")
    refused(
        save(
            tmp_path / "if.onnx",
            [helper.make_node("If", ["cond"], ["chosen"], name="fork", then_branch=branch, else_branch=branch)] + tail,
            weights + [numpy_helper.from_array(np.array(True), "cond")],
        ),
        "node fork (If)",
        "control flow",
    )
    tail, weights = classifier_tail("custom")
    refused(
        save(
            tmp_path / "custom.onnx",
            [helper.make_node("Evil", ["x"], ["custom"], name="evil", domain="com.attacker")] + tail,
            weights,
            opsets=OPSET + [helper.make_opsetid("com.attacker", 1)],
        ),
        "node evil (Evil)",
        "com.attacker",
    )


def test_recursive_and_exploding_local_functions_are_refused(tmp_path):
    tail, weights = classifier_tail("f")
    call = helper.make_node("Rec", ["x"], ["f"], name="call", domain="local")
    recursive = helper.make_function(
        "local", "Rec", ["a"], ["b"], [helper.make_node("Rec", ["a"], ["b"], domain="local")], OPSET
    )
    refused(
        save(
            tmp_path / "rec.onnx",
            [call] + tail,
            weights,
            functions=[recursive],
            opsets=OPSET + [helper.make_opsetid("local", 1)],
        ),
        "calls itself",
    )
    # F0 calls F1 twice, F1 calls F2 twice ... : 2**40 nodes once inlined
    functions = [
        helper.make_function(
            "local",
            f"F{i}",
            ["a"],
            ["b"],
            [
                helper.make_node(f"F{i + 1}", ["a"], ["t"], domain="local"),
                helper.make_node(f"F{i + 1}", ["t"], ["b"], domain="local"),
            ],
            OPSET,
        )
        for i in range(40)
    ]
    functions.append(
        helper.make_function("local", "F40", ["a"], ["b"], [helper.make_node("Relu", ["a"], ["b"])], OPSET)
    )
    call = helper.make_node("F0", ["x"], ["f"], name="call", domain="local")
    refused(
        save(
            tmp_path / "bomb.onnx",
            [call] + tail,
            weights,
            functions=functions,
            opsets=OPSET + [helper.make_opsetid("local", 1)],
        ),
        "inlines to over",
    )


def test_data_dependent_shape_and_quadratic_batch_are_refused(tmp_path):
    tail, weights = classifier_tail("nz")
    refused(
        save(
            tmp_path / "nonzero.onnx",
            [
                helper.make_node("NonZero", ["x"], ["nzi"], name="nz0"),
                helper.make_node("Cast", ["nzi"], ["nz"], to=TensorProto.FLOAT, name="cast"),
            ]
            + tail,
            weights,
        ),
        "node nz0 (NonZero)",
    )
    # a ConstantOfShape whose shape is read from the image's pixels
    from_data = [
        helper.make_node("ReduceMax", ["x"], ["m"], keepdims=0, name="m"),
        helper.make_node("Cast", ["m"], ["mi"], to=TensorProto.INT64, name="cast"),
        helper.make_node("Reshape", ["mi", "one_d"], ["shape"], name="as_shape"),
        helper.make_node("ConstantOfShape", ["shape"], ["nz"], name="fill"),
    ]
    axes = numpy_helper.from_array(np.array([1], np.int64), "one_d")
    refused(
        save(tmp_path / "fromdata.onnx", from_data + tail, weights + [axes]),
        "node fill (ConstantOfShape)",
        "not known before running",
    )
    # Expand x to (N, N): memory would grow with the square of the batch
    shape = [
        helper.make_node("Shape", ["x"], ["s"], start=0, end=1, name="shape"),
        helper.make_node("Concat", ["s", "s"], ["nn"], axis=0, name="cat"),
        helper.make_node("ReduceMean", ["x", "axes23"], ["x1"], keepdims=0, name="r"),
        helper.make_node("Expand", ["x1", "nn"], ["sq"], name="square"),
    ]
    tail, weights = classifier_tail("sq")
    axes = numpy_helper.from_array(np.array([2, 3], np.int64), "axes23")
    refused(save(tmp_path / "square.onnx", shape + tail, weights + [axes]), "square of the batch")


def test_compute_heavy_graph_is_refused(tmp_path):
    # (N, 1, 4096, 4096) by (4096, 4096), both tiled from one value: 2.7e11 operations from a 1 KB file
    nodes = [
        helper.make_node("ReduceMean", ["x", "axes23"], ["x1"], keepdims=1, name="r"),
        helper.make_node("Tile", ["x1", "reps"], ["big"], name="grow"),
        helper.make_node("Tile", ["one", "reps2"], ["square"], name="grow2"),
        helper.make_node("MatMul", ["big", "square"], ["heavy"], name="heavy"),
    ]
    tail, weights = classifier_tail("heavy")
    extra = [
        numpy_helper.from_array(np.array([1, 1, 4096, 4096], np.int64), "reps"),
        numpy_helper.from_array(np.array([4096, 4096], np.int64), "reps2"),
        numpy_helper.from_array(np.ones((1, 1), np.float32), "one"),
        numpy_helper.from_array(np.array([2, 3], np.int64), "axes23"),
    ]
    refused(
        save(tmp_path / "heavy.onnx", nodes + tail, extra + weights), "node heavy (MatMul)", "arithmetic operations"
    )


def test_too_many_nodes_is_refused(tmp_path):
    relus = [helper.make_node("Relu", ["x" if i == 0 else f"r{i - 1}"], [f"r{i}"]) for i in range(30_000)]
    tail, weights = classifier_tail("r29999")
    refused(save(tmp_path / "many.onnx", relus + tail, weights), "30005 nodes")
