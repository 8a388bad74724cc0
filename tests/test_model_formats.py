"""The user's own model in each format: made here from the built-in models, loaded, probed and attacked.

Each format must give the built-in model's logits on a real image, run a
white-box attack (FGSM) where it has an input gradient, and always run a
black-box one (Square, 20 queries).
"""

from __future__ import annotations

import shutil
import warnings

import pytest
import torch
from safetensors.torch import save_file
from torch import nn

from inspector.core.evasion.inspect import inspect
from inspector.core.evasion.recipe import Recipe
from inspector.core.io.image import load_tensor
from inspector.core.io.resources import resource_path
from inspector.core.models.architectures import ARCHITECTURES
from inspector.core.models.formats.onnx_graph import OPS, OnnxGraphNet
from inspector.core.models.formats.onnx_runtime import OnnxRuntimeNet
from inspector.core.models.loading import load_model
from inspector.core.models.zoo.efficientnet import efficientnet_lite_net
from inspector.core.util.errors import InputWarning, ModelError

DIGIT = resource_path("images", "mnist-7.png")
COFFEE = resource_path("images", "coffee.png")
SQUARE = {"max_queries": 20, "eps": "0.3", "seed": 0}
BATCH = torch.export.Dim("batch", min=1, max=64)


def export_pt2(net: nn.Module, example: torch.Tensor, path):
    torch.export.save(torch.export.export(net, (example,), dynamic_shapes=({0: BATCH},)), str(path))
    return path


def export_onnx(net: nn.Module, example: torch.Tensor, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            net, (example,), str(path), dynamo=True, dynamic_shapes=({0: BATCH},), verbose=False, external_data=False
        )
    return path


@pytest.fixture(scope="module")
def mnist_net(mnist_model):
    return mnist_model.net


@pytest.fixture(scope="module")
def mnist_files(tmp_path_factory, mnist_net):
    folder = tmp_path_factory.mktemp("mnist-formats")
    example = torch.rand(2, 1, 28, 28)
    state = {k: v.contiguous() for k, v in mnist_net.state_dict().items()}
    save_file(state, str(folder / "mnist.safetensors"))
    torch.save(state, folder / "mnist-state.pt")
    return {
        "pt2": export_pt2(mnist_net, example, folder / "mnist.pt2"),
        "onnx": export_onnx(mnist_net, example, folder / "mnist.onnx"),
        "safetensors": folder / "mnist.safetensors",
        "state.pt": folder / "mnist-state.pt",
    }


@pytest.fixture(scope="module")
def lite0_files(tmp_path_factory, model):
    folder = tmp_path_factory.mktemp("lite0-formats")
    example = torch.rand(2, 3, 224, 224)
    return {
        "pt2": export_pt2(model.net, example, folder / "lite0.pt2"),
        "onnx": export_onnx(model.net, example, folder / "lite0.onnx"),
    }


def attack(spec, attack_name, params, **recipe):
    image = str(DIGIT if load_model(spec, "cpu", **_load_args(recipe)).channels == 1 else COFFEE)
    return inspect(Recipe(image=image, model=str(spec), attack=attack_name, params=params, device="cpu", **recipe))


def _load_args(recipe: dict) -> dict:
    return {"weights": recipe.get("weights"), "trust_code": recipe.get("trust_model_code", False)}


def logits(model, image):
    with torch.no_grad():
        return model(load_tensor(image, model.input_size, model.channels, model.resize))


@pytest.mark.parametrize("kind", ["pt2", "onnx"])
def test_mnist_exports_give_the_builtin_logits_and_run_white_and_black_box(mnist_files, mnist_model, kind):
    loaded = load_model(mnist_files[kind], "cpu")
    assert (loaded.input_size, loaded.channels) == ((28, 28), 1)  # read from the file, no sidecar
    assert loaded.has_input_gradient
    assert isinstance(loaded.net, OnnxGraphNet) == (kind == "onnx")
    torch.testing.assert_close(logits(loaded, DIGIT), logits(mnist_model, DIGIT), atol=1e-4, rtol=1e-4)
    fgsm = attack(mnist_files[kind], "fgsm", {"eps": "0.3"})
    assert fgsm.success and fgsm.original.label == 7
    square = attack(mnist_files[kind], "square", SQUARE)
    assert square.attack.queries <= 20


@pytest.mark.parametrize("kind", ["pt2", "onnx"])
def test_lite0_exports_give_the_builtin_logits_and_run_white_and_black_box(lite0_files, model, kind):
    meta = '{"mean": 0.498, "std": 0.502, "task": "my Lite0"}'
    (lite0_files[kind].parent / (lite0_files[kind].name + ".inspector.json")).write_text(meta)
    loaded = load_model(lite0_files[kind], "cpu")
    assert loaded.input_size == (224, 224) and loaded.task.startswith("my Lite0") and loaded.has_input_gradient
    torch.testing.assert_close(logits(loaded, COFFEE), logits(model, COFFEE), atol=1e-3, rtol=1e-3)
    fgsm = attack(lite0_files[kind], "fgsm", {"eps": "4/255"})
    assert fgsm.original.top_k[0]["name"] == "espresso"
    assert fgsm.success
    square = attack(lite0_files[kind], "square", SQUARE)
    assert square.attack.queries <= 20


def test_onnx_without_converter_runs_black_box_only(tmp_path, mnist_net, mnist_model):
    # Softplus keeps the digit's ranking but has no torch converter here: onnxruntime runs it
    path = export_onnx(nn.Sequential(mnist_net, nn.Softplus()), torch.rand(2, 1, 28, 28), tmp_path / "soft.onnx")
    with pytest.warns(
        InputWarning,
        match="soft.onnx: runs in onnxruntime, so only the black-box attacks work "
        r"\(.*Softplus",
    ):
        loaded = load_model(path, "cpu")
    assert isinstance(loaded.net, OnnxRuntimeNet) and not loaded.has_input_gradient
    assert "black-box attacks only" in loaded.task
    expected = nn.functional.softplus(logits(mnist_model, DIGIT))
    torch.testing.assert_close(logits(loaded, DIGIT), expected, atol=1e-4, rtol=1e-4)
    with pytest.raises(
        ModelError,
        match="soft.onnx: its output has no gradient .* the black-box attacks still work: hopskipjump, square",
    ):
        attack(path, "fgsm", {"eps": "0.3"})
    square = attack(path, "square", SQUARE)
    assert square.original.label == 7 and square.attack.queries <= 20


def test_onnx_conversion_that_disagrees_with_onnxruntime_is_not_used(tmp_path, mnist_files, monkeypatch):
    path = shutil.copy(mnist_files["onnx"], tmp_path / "wrong.onnx")
    monkeypatch.setitem(OPS, "Relu", lambda inputs, attrs: inputs[0])  # a converter bug
    with pytest.warns(InputWarning, match="differs from onnxruntime"):
        loaded = load_model(path, "cpu")
    assert isinstance(loaded.net, OnnxRuntimeNet) and not loaded.has_input_gradient


@pytest.mark.parametrize("kind", ["safetensors", "state.pt"])
def test_state_dict_with_an_architecture(mnist_files, mnist_model, kind):
    loaded = load_model("mnist-cnn", "cpu", weights=mnist_files[kind])
    assert loaded.class_names == tuple(f"class {i}" for i in range(10)) and loaded.has_input_gradient
    torch.testing.assert_close(logits(loaded, DIGIT), logits(mnist_model, DIGIT))
    fgsm = attack("mnist-cnn", "fgsm", {"eps": "0.3"}, weights=str(mnist_files[kind]))
    assert fgsm.success and fgsm.to_dict()["recipe"]["weights"] == str(mnist_files[kind])
    assert attack("mnist-cnn", "square", SQUARE, weights=str(mnist_files[kind])).attack.queries <= 20


def test_state_dict_takes_its_number_of_classes_from_the_weights(tmp_path):
    net = efficientnet_lite_net("efficientnet-lite0", num_classes=5)  # randomly initialised
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(tmp_path / "five.safetensors"))
    (tmp_path / "five.safetensors.inspector.json").write_text('{"class_names_file": "names.txt"}')
    (tmp_path / "names.txt").write_text("cat\ndog\n\nfox\nowl\nemu\n")
    loaded = load_model("efficientnet-lite0", "cpu", weights=tmp_path / "five.safetensors")
    assert loaded.class_names == ("cat", "dog", "fox", "owl", "emu")
    assert (loaded.input_size, loaded.mean.flatten()[0].item()) == ((224, 224), pytest.approx(0.498))


def test_weights_errors_name_the_file_and_the_fix(tmp_path, mnist_files):
    with pytest.raises(
        ModelError,
        match=f"--weights needs an architecture as --model, not 'mnist-standard': one of {', '.join(ARCHITECTURES)}$",
    ):
        load_model("mnist-standard", "cpu", weights=mnist_files["safetensors"])
    with pytest.raises(ModelError, match=r"mnist.safetensors: not efficientnet-lite0 weights \(no output layer"):
        load_model("efficientnet-lite0", "cpu", weights=mnist_files["safetensors"])
    with pytest.raises(
        ModelError,
        match="mnist.safetensors holds weights only: give the architecture they "
        r"belong to, as --model ARCHITECTURE --weights .*mnist.safetensors",
    ):
        load_model(mnist_files["safetensors"], "cpu")
    with pytest.raises(ModelError, match="mnist-state.pt holds weights only"):
        load_model(mnist_files["state.pt"], "cpu")
    with pytest.raises(ModelError, match="missing.safetensors: no such weights file"):
        load_model("mnist-cnn", "cpu", weights=tmp_path / "missing.safetensors")


def test_bad_export_files_name_the_file_and_how_to_make_one(tmp_path):
    (tmp_path / "junk.pt2").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ModelError, match=r"junk.pt2: not a torch.export program .*torch.export.save"):
        load_model(tmp_path / "junk.pt2", "cpu")
    (tmp_path / "junk.onnx").write_bytes(b"\x08\x07garbage")
    with pytest.raises(ModelError, match=r"junk.onnx: not an ONNX model onnxruntime can run .*torch.onnx.export"):
        load_model(tmp_path / "junk.onnx", "cpu")


def test_cli_weights_and_the_onnxruntime_note(tmp_path, mnist_files, mnist_net, capsys):
    from inspector.cli import main

    assert (
        main(
            [
                "classify",
                str(DIGIT),
                "--model",
                "mnist-cnn",
                "--weights",
                str(mnist_files["safetensors"]),
                "--top",
                "1",
                "--json",
            ]
        )
        == 0
    )
    assert '"name": "class 7"' in capsys.readouterr().out
    path = export_onnx(nn.Sequential(mnist_net, nn.Softplus()), torch.rand(2, 1, 28, 28), tmp_path / "soft.onnx")
    assert (
        main(
            [
                "attack",
                str(DIGIT),
                "--model",
                str(path),
                "--attack",
                "square",
                "--param",
                "max_queries=20",
                "--eps",
                "0.3",
            ]
        )
        == 0
    )
    err = capsys.readouterr().err
    assert "inspector: note: " in err and "soft.onnx: runs in onnxruntime, so only the black-box attacks work" in err
