"""Model files made to hurt whoever opens them: a real ``torch.export.save`` archive patched as an attacker would,
and TorchScript programs. Nothing from the file may run, write or cost more than the bound before one line of refusal."""

from __future__ import annotations

import builtins
import io
import json
import pickle
import zipfile
from pathlib import Path

import pytest
import torch
from hostile import run_inspector, run_main
from torch import nn

from inspector.core.models.cost_bound import check_cost
from inspector.core.models.formats import NEEDS_TRUST, file_kind, load_model_file
from inspector.core.models.formats.pt2_program import check_expression, check_target
from inspector.core.models.formats.torchscript import TorchScriptCodeError
from inspector.core.models.loading import load_model
from inspector.core.util.errors import ModelError

DIGIT = str(Path(__file__).resolve().parents[1] / "resources" / "images" / "mnist-3.png")


class Payload:
    """Unpickling it creates the marker file: proof that code from the file ran."""

    def __init__(self, marker: Path):
        self.marker = str(marker)

    def __reduce__(self):
        return builtins.open, (self.marker, "w")


class Net(nn.Module):
    """A small digit classifier with a parameter, a buffer and a tensor constant (all three kinds of payload)."""

    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(28 * 28, 10)
        self.register_buffer("scale", torch.ones(1))
        self.offset = torch.zeros(10)

    def forward(self, x):
        return self.fc(x.flatten(1)) * self.scale + self.offset


class Zeros(Net):
    """Materialises a 40,000 x 40,000 tensor (6.4 GB) inside its graph."""

    def forward(self, x):
        return super().forward(x) + x.new_zeros(40_000, 40_000).sum() * 0


class ExpandClone(Net):
    """Materialises an expanded (stride 0) view of its buffer: 6.4 GB from 4 bytes."""

    def forward(self, x):
        return super().forward(x) + self.scale.expand(40_000, 40_000).clone().sum() * 0


class MatMul(Net):
    """Small tensors, but a matrix product of 2 TFLOP: hours on a CPU."""

    def forward(self, x):
        a = x.new_ones(10_000, 10_000)
        return super().forward(x) + (a @ a).sum() * 0


def _export(net: nn.Module, path: Path) -> Path:
    batch = torch.export.Dim("batch", min=1, max=1024)
    program = torch.export.export(net.eval(), (torch.rand(2, 1, 28, 28),), dynamic_shapes=({0: batch},))
    torch.export.save(program, str(path))
    return path


@pytest.fixture(scope="module")
def honest(tmp_path_factory) -> bytes:
    """The bytes of an honest archive of :class:`Net`, written by torch.export.save."""
    return _export(Net(), tmp_path_factory.mktemp("honest") / "net.pt2").read_bytes()


def _patched(path: Path, data: bytes, *, replace=None, add=None, drop=()) -> Path:
    """``data`` (a .pt2 archive) rewritten into ``path`` with members replaced, added or dropped,
    as an attacker would with zipfile. Member names are relative to the archive's folder."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        root = source.namelist()[0].split("/")[0] + "/"
        members = {info.filename[len(root) :]: source.read(info) for info in source.infolist()}
    for name in drop:
        del members[name]
    members.update(replace or {})
    members.update(add or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as target:
        for name, content in members.items():
            target.writestr(root + name, content)
    return path


def _member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = archive.namelist()[0].split("/")[0] + "/"
        return archive.read(root + name)


def _json_member(data: bytes, name: str) -> dict:
    return json.loads(_member(data, name))


def _saved(obj) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


WEIGHTS = "data/weights/model_weights_config.json"
CONSTANTS = "data/constants/model_constants_config.json"
PROGRAM = "models/model.json"


def _pickled_weight(tmp, data, marker):
    config = _json_member(data, WEIGHTS)
    entry = config["config"]["fc.weight"]
    entry["use_pickle"] = True
    return _patched(
        tmp / "m.pt2",
        data,
        replace={WEIGHTS: json.dumps(config), "data/weights/" + entry["path_name"]: _saved(Payload(marker))},
    )


def _pickled_constant(tmp, data, marker):
    config = _json_member(data, CONSTANTS)
    entry = next(iter(config["config"].values()))
    entry["use_pickle"] = True
    return _patched(
        tmp / "m.pt2",
        data,
        replace={CONSTANTS: json.dumps(config), "data/constants/" + entry["path_name"]: _saved(Payload(marker))},
    )


def _object_constant(prefix):
    def make(tmp, data, marker):
        config = _json_member(data, CONSTANTS)
        config["config"]["evil"] = {
            "path_name": f"{prefix}0",
            "is_param": False,
            "use_pickle": True,
            "tensor_meta": None,
        }
        return _patched(
            tmp / "m.pt2",
            data,
            replace={CONSTANTS: json.dumps(config)},
            add={f"data/constants/{prefix}0": pickle.dumps(Payload(marker))},
        )

    return make


def _sample_inputs(tmp, data, marker):
    return _patched(tmp / "m.pt2", data, replace={"data/sample_inputs/model.pt": _saved(((Payload(marker),), {}))})


def _legacy_weights(tmp, data, marker):
    return _patched(tmp / "m.pt2", data, add={"data/weights/model.pt": _saved({"fc.weight": Payload(marker)})})


def _aoti(tmp, data, marker):
    return _patched(tmp / "m.pt2", data, add={"data/aotinductor/model/model.so": b"\x7fELF" + b"\0" * 64})


def _sympy(tmp, data, marker):
    text = _member(data, PROGRAM).decode()
    evil = f"__import__('os').system('touch {marker}')"
    assert '"expr_str": "' in text
    start = text.index('"expr_str": "') + len('"expr_str": "')
    end = text.index('"', start)
    return _patched(tmp / "m.pt2", data, replace={PROGRAM: text[:start] + evil + text[end:]})


def _from_file(tmp, data, marker):
    """The graph's first op replaced by aten.from_file(outside, shared=True), which would write the file."""
    program = _json_member(data, PROGRAM)
    node = program["graph_module"]["graph"]["nodes"][0]
    node["target"] = "torch.ops.aten.from_file.default"
    node["inputs"] = [
        {"name": "filename", "arg": {"as_string": str(tmp / "outside.txt")}, "kind": 1},
        {"name": "shared", "arg": {"as_bool": True}, "kind": 1},
        {"name": "size", "arg": {"as_int": 4}, "kind": 1},
    ]
    return _patched(tmp / "m.pt2", data, replace={PROGRAM: json.dumps(program)})


def _second_root(tmp, data, marker):
    """A root ``version`` member: torch's fallback to the legacy format, which unpickles everything."""
    path = _patched(tmp / "m.pt2", data)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("version", "1")
        archive.writestr("serialized_state_dict.json", _saved({"w": Payload(marker)}))
    return path


def _huge_weight(strides):
    def make(tmp, data, marker):
        config = _json_member(data, WEIGHTS)
        entry = config["config"]["fc.weight"]
        meta = entry["tensor_meta"]
        meta["sizes"] = [{"as_int": 40_000}, {"as_int": 40_000}]
        meta["strides"] = [{"as_int": s} for s in strides]
        replace = {WEIGHTS: json.dumps(config)}
        if strides != (0, 0):
            replace["data/weights/" + entry["path_name"]] = b""  # torch materialises torch.zeros(sizes)
        return _patched(tmp / "m.pt2", data, replace=replace)

    return make


def _zip_bomb(tmp, data, marker):
    path = tmp / "m.pt2"
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        root = source.namelist()[0].split("/")[0] + "/"
        for info in source.infolist():
            target.writestr(info, source.read(info))
        target.writestr(root + "extra/padding", b"\0" * 50_000_000)
    return path


def _duplicate(tmp, data, marker):
    path = _patched(tmp / "m.pt2", data)
    with zipfile.ZipFile(path, "a") as archive:
        root = archive.namelist()[0].split("/")[0] + "/"
        archive.writestr(root + "DATA/weights/weight_0", b"\0" * 16)
    return path


def _truncated(tmp, data, marker):
    (tmp / "m.pt2").write_bytes(data[: len(data) // 2])
    return tmp / "m.pt2"


def _garbage(tmp, data, marker):
    (tmp / "m.pt2").write_bytes(bytes(range(256)) * 64)
    return tmp / "m.pt2"


HOSTILE = {
    "pickled weight": (_pickled_weight, "use_pickle"),
    "pickled constant": (_pickled_constant, "use_pickle"),
    "opaque object constant": (_object_constant("opaque_obj_"), "opaque_obj_0"),
    "custom object constant": (_object_constant("custom_obj_"), "custom_obj_0"),
    "sample inputs need unpickling": (_sample_inputs, "data/sample_inputs/model.pt"),
    "legacy weights file": (_legacy_weights, "data/weights/model.pt"),
    "AOTInductor library": (_aoti, "data/aotinductor/model/model.so"),
    "legacy format fallback": (_second_root, "version"),
    "sympy expression": (_sympy, "not plain arithmetic"),
    "from_file op": (_from_file, "aten.from_file"),
    "huge zero weight": (_huge_weight((40_000, 1)), "declare 6.0 GB"),
    "huge stride-0 weight": (_huge_weight((0, 0)), "declare 6.0 GB"),
    "zip bomb member": (_zip_bomb, "zip bomb"),
    "duplicate member": (_duplicate, "appears twice"),
    "truncated archive": (_truncated, "not a torch.export program"),
    "garbage archive": (_garbage, "not a torch.export program"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_archive_is_refused_before_anything_runs(case, tmp_path, honest):
    make, phrase = HOSTILE[case]
    marker, outside = tmp_path / "marker", tmp_path / "outside.txt"
    outside.write_text("untouched")
    path = make(tmp_path, honest, marker)
    with pytest.raises(ModelError, match=None) as refused:
        load_model_file(path)
    message = str(refused.value)
    assert "\n" not in message and str(path) in message and phrase in message, message
    assert not marker.exists()
    assert outside.read_text() == "untouched"


@pytest.mark.parametrize(
    "case",
    [
        "pickled weight",
        "sample inputs need unpickling",
        "AOTInductor library",
        "sympy expression",
        "from_file op",
        "huge zero weight",
        "truncated archive",
        "garbage archive",
    ],
)
def test_hostile_archive_ends_in_one_line(case, tmp_path, honest, capsys):
    """The command's one line for each kind of hostile archive. The 6 GB weight, the one case whose cost
    could be memory, runs in a subprocess that measures it; the others run in-process (3 s less each)."""
    make, phrase = HOSTILE[case]
    marker, outside = tmp_path / "marker", tmp_path / "outside.txt"
    outside.write_text("untouched")
    path = make(tmp_path, honest, marker)
    run = run_inspector if case == "huge zero weight" else (lambda *args: run_main(capsys, *args))
    run("classify", DIGIT, "--model", str(path)).assert_refused(phrase)
    assert not marker.exists()
    assert outside.read_text() == "untouched"


@pytest.mark.parametrize("net, op", [(Zeros(), "aten.new_zeros"), (ExpandClone(), "aten.clone"), (MatMul(), "GFLOP")])
def test_graph_that_would_cost_too_much_is_refused_naming_the_op(net, op, tmp_path, capsys):
    """Memory (a huge new tensor) and compute (GFLOPs) each measured in a subprocess; the copy of a huge
    broadcast, the second memory case, runs in-process."""
    path = _export(net, tmp_path / "big.pt2")
    assert path.stat().st_size < 1_000_000
    run = (lambda *args: run_main(capsys, *args)) if op == "aten.clone" else run_inspector
    run("classify", DIGIT, "--model", str(path)).assert_refused(op, "refused")


def test_guard_code_and_stack_traces_are_never_executed(tmp_path, honest):
    """The program's guard code is Python torch would exec; the stack traces end up in generated code."""
    marker = tmp_path / "marker"
    program = _json_member(honest, PROGRAM)
    program["guards_code"] = [f"__import__('os').system('touch {marker}') or True"]
    for node in program["graph_module"]["graph"]["nodes"]:
        node["metadata"]["stack_trace"] = f'File "x.py", line 1, in f\n    x\n__import__("os").system("touch {marker}")'
    path = _patched(tmp_path / "m.pt2", honest, replace={PROGRAM: json.dumps(program)})
    model = load_model(path, "cpu")
    assert model(torch.rand(1, 1, 28, 28)).shape == (1, 10)
    assert not marker.exists()


def test_expressions_and_targets_are_checked():
    for honest in [
        "Symbol('s77', positive=True, integer=True)",
        "Mul(Integer(2), Symbol('s0', integer=True))",
        "FloorDiv(Add(Symbol('s0'), Integer(-1)), Integer(2))",
        "Pow(Symbol('s0'), Integer(2))",
        "StrictLessThan(Symbol('u0'), Integer(5))",
        "Max(Integer(1), Symbol('s1'))",
    ]:
        check_expression(honest, "here")
    for evil in [
        "__import__('os').system('x')",
        "Symbol('s0').__class__",
        "Pow(Integer(2), Integer(10**10))",
        "Symbol('a b')",
        "lambda: 0",
        "Integer(2)**Symbol('s0')",
        "(" * 300 + "1" + ")" * 300,
        "Function('f')(Symbol('s0'))",
        "s0[0]",
        "Float('nan', precision=53).evalf",
    ]:
        with pytest.raises(ModelError, match="not plain arithmetic"):
            check_expression(evil, "here")
    for honest in [
        "torch.ops.aten.conv2d.default",
        "torch.ops.aten.add.Tensor",
        "_operator.getitem",
        "torch.ops.higher_order.cond",
        "torch.sym_max",
        "math.ceil",
    ]:
        check_target(honest, "here")
    for evil in [
        "torch.ops.aten.from_file.default",
        "torch.ops.aten.save.default",
        "torch.ops.higher_order.while_loop",
        "torch.load",
        "torch.serialization.load",
        "builtins.eval",
        "os.system",
        "#custom:op",
        "torch.ops.higher_order.triton_kernel_wrapper_mutation",
        "_operator.methodcaller",
        "math.__dict__",
    ]:
        with pytest.raises(ModelError, match="refused"):
            check_target(evil, "here")


def test_sidecar_that_contradicts_the_program_ends_in_one_line(tmp_path, honest):
    path = tmp_path / "net.pt2"
    path.write_bytes(honest)
    sidecar = tmp_path / "net.pt2.inspector.json"
    sidecar.write_text(json.dumps({"input_size": [32, 32]}))
    run_inspector("classify", DIGIT, "--model", str(path)).assert_refused(
        str(sidecar), "input_size [32, 32] contradicts the program, which takes 1x28x28 images"
    )
    sidecar.write_text(json.dumps({"channels": 3}))
    with pytest.raises(ModelError, match=r"channels 3 contradicts the program, which takes 1x28x28 images"):
        load_model_file(path)


def test_honest_archive_still_loads_and_the_bound_is_cheap(tmp_path, honest):
    path = tmp_path / "net.pt2"
    path.write_bytes(honest)
    model = load_model(path, "cpu")
    assert model.input_size == (28, 28) and model.channels == 1 and model.num_classes == 10
    cost = check_cost(model, (2, 1, 28, 28), "net")
    assert 0 < cost.flops < 10**6 and cost.total_bytes < 10**6


class ScriptWriter(nn.Module):
    """TorchScript that writes a file when loaded (``__setstate__``) and when run (``forward``)."""

    def __init__(self, target: str):
        super().__init__()
        self.target = target
        self.fc = nn.Linear(28 * 28, 10)

    @torch.jit.export
    def __getstate__(self) -> tuple[str, bool]:
        return self.target, self.training

    @torch.jit.export
    def __setstate__(self, state: tuple[str, bool]) -> None:
        self.target, self.training = state
        torch.from_file(self.target, shared=True, size=4, dtype=torch.uint8).fill_(65)

    def forward(self, x):
        torch.from_file(self.target, shared=True, size=4, dtype=torch.uint8).fill_(66)
        return self.fc(x.flatten(1))


def test_torchscript_is_refused_without_trust_before_it_loads(tmp_path):
    outside, marker = tmp_path / "outside.txt", tmp_path / "marker"
    outside.write_text("untouched")
    path = tmp_path / "writer.pt"
    torch.jit.save(torch.jit.script(ScriptWriter(str(marker))), str(path))
    marker.unlink(missing_ok=True)
    assert file_kind(path) == "torchscript" and "torchscript" in NEEDS_TRUST
    with pytest.raises(TorchScriptCodeError, match="--trust-model-code"):
        load_model_file(path)
    outcome = run_inspector("classify", DIGIT, "--model", str(path))
    outcome.assert_refused("TorchScript model: a program", "--trust-model-code", ".pt2", "ONNX")
    assert not marker.exists() and outside.read_text() == "untouched"


def test_trusted_torchscript_loads(tmp_path):
    path = tmp_path / "benign.pt"
    torch.jit.save(
        torch.jit.script(nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10))),
        str(path),
        _extra_files={"inspector.json": json.dumps({"input_size": [28, 28], "channels": 1})},
    )
    outcome = run_inspector("classify", DIGIT, "--model", str(path), "--trust-model-code")
    assert outcome.code == 0, outcome.stderr
