"""Red-team cases against model loading: hostile files that got past the first round of checks.

Each builds a real file the way an attacker would (``torch.save``, safetensors, ``torch.export.save``
then patched) and asserts the one-line refusal: in-process with ``pytest.raises(ModelError)`` where
the loader is enough, in a subprocess (:func:`hostile.run_inspector`) where exit status, stderr and
the memory and time bounds matter.
"""

from __future__ import annotations

import os

import pytest
import torch
from hostile import run_inspector
from safetensors.torch import save_file

from inspector.core.io.resources import resource_path
from inspector.core.models.architectures import load_with_weights
from inspector.core.models.zoo.mnist_cnn import MnistCNN
from inspector.core.util.errors import ModelError

DIGIT = str(resource_path("images", "mnist-3.png"))


def _mnist_state(**changes) -> dict[str, torch.Tensor]:
    state = MnistCNN(num_classes=10).state_dict()
    state.update(changes)
    return state


# --- state dicts: tensors that are not plain stored CPU tensors, and heads that size the network ---


@pytest.mark.parametrize(
    "suffix, head, phrase",
    [
        (".pt", torch.empty(10**9, 0), "1,000,000,000 classes"),  # no bytes stored, a network for 10^9 classes
        (".safetensors", torch.empty(10**9, 0), "1,000,000,000 classes"),
        (".pt", torch.empty(10**9, 256, device="meta"), "meta"),  # a meta tensor declares any shape, stores nothing
    ],
    ids=["empty-head", "empty-head-safetensors", "meta-head"],
)
def test_an_output_layer_that_stores_nothing_does_not_size_the_network(tmp_path, suffix, head, phrase):
    path = tmp_path / f"head{suffix}"
    state = _mnist_state(**{"classifier.5.weight": head})
    if suffix == ".pt":
        torch.save(state, path)
    else:
        save_file({k: v.contiguous() for k, v in state.items()}, str(path))
    with pytest.raises(ModelError, match=phrase):
        load_with_weights("mnist-cnn", path)


@pytest.mark.parametrize(
    "name, tensor, phrase",
    [
        ("classifier.5.bias", torch.zeros(10).to_sparse(), "sparse"),
        ("classifier.5.bias", torch.zeros(10, dtype=torch.complex64), "complex"),
        ("classifier.2.bias", torch.empty(256, device="meta"), "meta"),
    ],
    ids=["sparse", "complex", "meta"],
)
def test_weights_that_are_not_plain_real_cpu_tensors_are_refused(tmp_path, name, tensor, phrase):
    path = tmp_path / "odd.pt"
    torch.save(_mnist_state(**{name: tensor}), path)
    with pytest.raises(ModelError, match=phrase):
        load_with_weights("mnist-cnn", path)


def test_complex_weights_in_safetensors_are_refused(tmp_path):
    path = tmp_path / "complex.safetensors"
    state = _mnist_state()
    state["classifier.5.weight"] = state["classifier.5.weight"].to(torch.complex64)
    save_file(state, str(path))
    with pytest.raises(ModelError, match="'classifier.5.weight' is a complex tensor"):
        load_with_weights("mnist-cnn", path)


def test_a_sparse_weight_is_one_line_in_the_command(tmp_path):
    path = tmp_path / "sparse.pt"
    torch.save(_mnist_state(**{"classifier.5.bias": torch.zeros(10).to_sparse()}), path)
    run_inspector("classify", DIGIT, "--model", "mnist-cnn", "--weights", str(path)).assert_refused(
        "sparse.pt", "classifier.5.bias", "sparse"
    )


def test_honest_weights_of_other_real_dtypes_still_load(tmp_path):
    for dtype in (torch.float64, torch.float16, torch.int64):
        path = tmp_path / f"{dtype}.pt"
        torch.save({k: v.to(dtype) for k, v in _mnist_state().items()}, path)
        assert load_with_weights("mnist-cnn", path).net is not None


# --- .pt2 programs whose ops cost far more than the tensors they make ---


class _Head(torch.nn.Module):
    """A linear MNIST classifier; subclasses add a costly side computation to its logits."""

    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(784, 10)

    def logits(self, x, side):
        return self.lin(x.flatten(1)) + side.reshape(x.shape[0], -1).sum(1, keepdim=True) * 0


class _SumOfBroadcast(_Head):  # 2x10^12 additions over a view of 8 bytes: no allocation, hours of work
    def forward(self, x):
        return self.logits(x, x[:, :1, :1, :1].expand(-1, 10**6, 10**6, 1).sum((1, 2, 3)))


class _WidePool(_Head):  # a 1000x1000 window at each of 10^6 places of a broadcast image
    def forward(self, x):
        return self.logits(x, torch.nn.functional.max_pool2d(x[:, :, :1, :1].expand(-1, -1, 2000, 2000), 1000, 1))


class _Eigen(_Head):  # 6000^3 operations per image in a kernel no table prices
    def forward(self, x):
        return self.logits(x, torch.linalg.eigvalsh(x[:, :, :1, :1].expand(-1, -1, 6000, 6000)))


class _CopiedBroadcast(_Head):  # cdist copies its broadcast operands in full: 12 GB each
    def forward(self, x):
        a = x[:, :1, :1, :1].reshape(-1, 1, 1).expand(-1, 3000, 10**6)
        return self.logits(x, torch.cdist(a, a, compute_mode="donot_use_mm_for_euclid_dist"))


def _export(net: torch.nn.Module, path) -> None:
    x = torch.rand(2, 1, 28, 28)
    program = torch.export.export(net.eval(), (x,), dynamic_shapes=({0: torch.export.Dim("batch")},))
    torch.export.save(program, path)


@pytest.mark.parametrize(
    "net, phrase",
    [
        (_SumOfBroadcast(), "aten.sum.dim_IntList would read 7450.6 GB"),
        (_WidePool(), "aten.max_pool2d_with_indices.default brings one run to 2004 GFLOP"),
        (_Eigen(), "aten._linalg_eigh.default is not an operator whose cost this tool can bound"),
        (_CopiedBroadcast(), "aten._cdist_forward.default would read 44.7 GB"),
    ],
    ids=["sum-of-broadcast", "wide-pool", "eigen", "copied-broadcast"],
)
def test_a_program_whose_ops_compute_or_copy_far_more_than_they_make_is_refused(tmp_path, net, phrase):
    from inspector.core.models.formats.exported import load_exported

    path = tmp_path / "costly.pt2"
    _export(net, path)
    with pytest.raises(ModelError, match=phrase):
        load_exported(path)


def test_a_sum_over_a_broadcast_view_is_refused_within_the_bound(tmp_path):
    # it ran for more than two minutes (and would for hours) before the op reading it was priced
    path = tmp_path / "sum.pt2"
    _export(_SumOfBroadcast(), path)
    run_inspector("classify", DIGIT, "--model", str(path)).assert_refused("sum.pt2", "aten.sum", "refused")


class _MillionClasses(torch.nn.Module):  # one logit broadcast to 10^6 classes: every attack loops over them
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(784, 1)

    def forward(self, x):
        return self.lin(x.flatten(1)).expand(-1, 10**6)


def test_a_model_with_a_million_outputs_is_refused_at_the_probe(tmp_path):
    from inspector.core.models.loading import load_model

    path = tmp_path / "wide.pt2"
    _export(_MillionClasses(), path)
    with pytest.raises(ModelError, match="returns 1,000,000 outputs per image; a classifier here has 2 to 100,000"):
        load_model(path)


# --- reading a model file reserves what it holds, not what it may hold ---


def test_reading_a_small_file_under_a_large_bound_reserves_only_its_size(tmp_path):
    # read(max_bytes + 1) reserved the whole bound up front: 16 GB for every .pt2, which fails
    # (MemoryError, an "unexpected error") wherever address space is limited
    from inspector.core.io.untrusted import read_bytes

    path = tmp_path / "small.pt2"
    path.write_bytes(b"x" * 3_000_000)
    assert read_bytes(path, ModelError, "model", 2**50) == b"x" * 3_000_000
    with pytest.raises(ModelError, match="over the"):
        read_bytes(path, ModelError, "model", 2_999_999)


class _BatchPower(_Head):  # batch**6 x 4 zeros: 256 at the probe's 2 images, 10^13 at evaluate's 128
    def forward(self, x):
        return self.logits(x, x.new_zeros(x.shape[0] ** 6 * 4).sum().expand(x.shape[0]))


def test_a_program_whose_cost_grows_faster_than_the_batch_is_refused_before_a_larger_batch_runs(tmp_path):
    from inspector.core.models.cost_bound import CostError
    from inspector.core.models.loading import load_model

    path = tmp_path / "power.pt2"
    _export(_BatchPower(), path)
    model = load_model(path)  # the probe's batch of 2 is cheap
    assert model(torch.rand(1, 1, 28, 28)).shape == (1, 10)
    with pytest.raises(CostError, match=r"power.pt2 \(a batch of 128\): the op aten.new_zeros.default would make"):
        model(torch.rand(128, 1, 28, 28))


def test_an_honest_program_runs_at_any_batch(tmp_path):
    from inspector.core.models.loading import load_model

    path = tmp_path / "honest.pt2"
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(784, 10))
    _export(net, path)
    model = load_model(path)
    for n in (1, 3, 128, 300):
        assert model(torch.rand(n, 1, 28, 28)).shape == (n, 10)


# --- model paths that are not regular files, under suffixes that skip the bounded read ---


@pytest.mark.parametrize("kind, flag", [("fifo", "--model"), ("dev-zero", "--model"), ("fifo", "--weights")])
def test_a_fifo_or_device_as_a_torch_save_model_or_weights_is_refused_unread(tmp_path, kind, flag):
    # a FIFO named .pt hung in zipfile's open; /dev/zero as --model hung in torch.load
    path = tmp_path / "model.pt"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    args = ["--model", str(path)] if flag == "--model" else ["--model", "mnist-cnn", "--weights", str(path)]
    run_inspector("classify", DIGIT, *args, timeout=60).assert_refused("model.pt", "not a regular file")


# --- ONNX: onnxruntime's own log lines on stderr ---


def test_an_onnx_graph_failing_inside_onnxruntime_gives_one_stderr_line(tmp_path):
    # a Gather whose indices are out of range passes shape inference and fails when run: onnxruntime
    # logged the error twice on stderr itself before the refusal
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    nodes = [
        helper.make_node("Gather", ["x", "idx"], ["g"], axis=3),
        helper.make_node("ReduceMean", ["g"], ["m"], keepdims=0),
        helper.make_node("Unsqueeze", ["m", "ax"], ["m1"]),
        helper.make_node("Unsqueeze", ["m1", "ax"], ["m2"]),
        helper.make_node("Expand", ["m2", "shape"], ["y"]),
    ]
    inits = {"idx": np.array([2**62], np.int64), "ax": np.array([0], np.int64), "shape": np.array([2, 10], np.int64)}
    graph = helper.make_graph(
        nodes,
        "g",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1, 28, 28])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 10])],
        initializer=[numpy_helper.from_array(v, k) for k, v in inits.items()],
    )
    path = tmp_path / "gather.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    run_inspector("classify", DIGIT, "--model", str(path)).assert_refused("gather.onnx", "Gather")
