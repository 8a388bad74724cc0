"""The built-in model on real photos, TorchScript files, devices and class names."""

import json

import pytest
import torch

from inspector.core.attacks import make_attack
from inspector.core.evasion.classify import classify
from inspector.core.io.resources import resource_path
from inspector.core.models.labels import imagenet_classes, resolve_class
from inspector.core.models.loading import load_model
from inspector.core.util.device import select_device
from inspector.core.util.errors import ClassNameError, DeviceError, ModelError


def test_coffee_is_espresso():
    result = classify(resource_path("images", "coffee.png"), device="cpu")
    assert result.top_k[0]["name"] == "espresso"
    assert result.probabilities.sum().item() == pytest.approx(1.0, abs=1e-4)


def test_accuracy_on_real_imagenet_photos(model, imagenet_batch, correct_batch):
    # the data README measured 88 % top-1 on these photos with this normalisation
    assert len(correct_batch[1]) / len(imagenet_batch[1]) >= 0.8


def test_parameters_are_frozen_and_model_in_eval(model):
    assert not any(p.requires_grad for p in model.parameters())
    model.train()
    assert not model.training and not model.net.training


def test_load_is_cached():
    # loaded twice here: the session's fixture may have left the cache (it holds 8 built-in models)
    first = load_model("efficientnet-lite0", "cpu")
    assert load_model("efficientnet-lite0", "cpu") is first


def test_torchscript_with_metadata(tmp_path, model):
    scripted = torch.jit.trace(model.net, torch.zeros(1, 3, 224, 224))
    meta = {"input_size": [224, 224], "channels": 3, "mean": [0.498] * 3, "std": [0.502] * 3}
    torch.jit.save(scripted, str(tmp_path / "net.pt"), _extra_files={"inspector.json": json.dumps(meta)})
    loaded = load_model(tmp_path / "net.pt", "cpu", trust_code=True)
    assert loaded.class_names == imagenet_classes()
    assert (
        classify(resource_path("images", "coffee.png"), str(tmp_path / "net.pt"), trust_code=True).top_k[0]["name"]
        == "espresso"
    )
    assert load_model(tmp_path / "net.pt", "cpu", trust_code=True) is loaded  # cached while the file is the same
    renamed = meta | {"class_names": [f"c{i}" for i in range(1000)]}
    torch.jit.save(scripted, str(tmp_path / "net.pt"), _extra_files={"inspector.json": json.dumps(renamed)})
    assert load_model(tmp_path / "net.pt", "cpu", trust_code=True).class_names[:2] == (
        "c0",
        "c1",
    )  # changed on disk: loaded again


def test_bad_model_specs(tmp_path):
    with pytest.raises(ModelError, match="unknown model 'resnet9000'"):
        load_model("resnet9000")
    with pytest.raises(ModelError, match="no such model file"):
        load_model(tmp_path / "missing.pt")
    (tmp_path / "junk.pt").write_bytes(b"\x00garbage")
    with pytest.raises(ModelError, match="not a TorchScript model"):
        load_model(tmp_path / "junk.pt")


def test_devices():
    assert select_device("cpu").type == "cpu"
    # auto: CUDA, then Apple's MPS, then the CPU: what this machine has decides which
    best = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert select_device(None).type == best and select_device("auto").type == best
    with pytest.raises(DeviceError, match="unknown device"):
        select_device("tpu9")
    if not torch.cuda.is_available():
        with pytest.raises(DeviceError, match="no usable CUDA"):
            select_device("cuda")


def test_class_names_resolve():
    names = imagenet_classes()
    assert resolve_class("espresso", names) == 967
    assert resolve_class("Egyptian cat", names) == 285
    assert resolve_class("967", names) == 967
    with pytest.raises(ClassNameError, match="ambiguous"):
        resolve_class("crane", names)
    with pytest.raises(ClassNameError, match="did you mean 'espresso'"):
        resolve_class("espreso", names)
    with pytest.raises(ClassNameError, match="out of range"):
        resolve_class(1000, names)


class _Rounded(torch.nn.Module):
    """Logits that are piecewise constant in the input: a gradient of zero everywhere."""

    def forward(self, x):
        return torch.round(x.flatten(1)[:, :3] * 4)


def test_probe_finds_the_input_gradient(model, mnist_model, tmp_path):
    assert model.has_input_gradient and mnist_model.has_input_gradient
    meta = {"input_size": [8, 8], "channels": 1}
    torch.jit.save(
        torch.jit.script(_Rounded()), str(tmp_path / "r.pt"), _extra_files={"inspector.json": json.dumps(meta)}
    )
    rounded = load_model(tmp_path / "r.pt", "cpu", trust_code=True)
    assert not rounded.has_input_gradient and rounded.class_names == ("class 0", "class 1", "class 2")
    with pytest.raises(ModelError, match="white-box attack 'fgsm' cannot run"):
        make_attack("fgsm").check_model(rounded)
    make_attack("hopskipjump").check_model(rounded)
