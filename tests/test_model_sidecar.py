"""Preprocessing declared beside the model: MODEL.inspector.json, its class names file and resize rule."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from inspector.core.evasion.classify import classify
from inspector.core.io.image import load_image, load_tensor, preprocess
from inspector.core.io.resources import resource_path
from inspector.core.models.formats.sidecar import read_sidecar, sidecar_path, write_sidecar
from inspector.core.models.loading import load_model
from inspector.core.models.metadata import ModelMetadata
from inspector.core.util.errors import ModelError

COFFEE = resource_path("images", "coffee.png")  # 600x400


def test_the_sidecar_is_the_full_file_name_plus_inspector_json(tmp_path):
    assert sidecar_path(tmp_path / "net.onnx") == tmp_path / "net.onnx.inspector.json"
    assert sidecar_path(tmp_path / "w.safetensors").name == "w.safetensors.inspector.json"


def test_stretch_keeps_the_whole_image_and_crop_its_centre():
    im = load_image(COFFEE)
    stretched, cropped = preprocess(im, (224, 224), "stretch"), preprocess(im, (224, 224))
    assert stretched.size == cropped.size == (224, 224)
    whole = np.asarray(im.resize((224, 224), Image.Resampling.BICUBIC))
    assert np.array_equal(np.asarray(stretched), whole) and not np.array_equal(np.asarray(cropped), whole)
    with pytest.raises(ValueError, match="resize must be one of shorter-side-crop, stretch"):
        preprocess(im, (224, 224), "squash")


def test_sidecar_sets_preprocessing_and_class_names_from_a_file(tmp_path, model):
    path = tmp_path / "lite0.pt2"
    torch.export.save(
        torch.export.export(
            model.net, (torch.rand(2, 3, 224, 224),), dynamic_shapes=({0: torch.export.Dim("batch", max=8)},)
        ),
        str(path),
    )
    names = [f"thing {i}" for i in range(1000)]
    names[967] = "my espresso"
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "names.txt").write_text("\n".join(names) + "\n")
    write_sidecar(
        path,
        {
            "mean": 0.498,
            "std": 0.502,
            "class_names_file": "labels/names.txt",
            "resize": "stretch",
            "task": "espresso or not",
        },
    )
    loaded = load_model(path, "cpu")
    assert loaded.resize == "stretch" and loaded.task == "espresso or not" and loaded.class_names[967] == "my espresso"
    result = classify(COFFEE, str(path), device="cpu")
    assert result.top_k[0]["name"] == "my espresso"
    stretched = load_tensor(COFFEE, (224, 224), 3, "stretch")
    with torch.no_grad():
        assert torch.equal(result.probabilities, model(stretched).softmax(1)[0])


def test_sidecar_errors_name_the_sidecar_and_the_key(tmp_path):
    model = tmp_path / "net.onnx"
    cases = {
        '{"class_names": ["a", "b"], "class_names_file": "n.txt"}': "give class_names or class_names_file, not both",
        '{"resize": "squash"}': "'resize' must be 'shorter-side-crop' or 'stretch'",
        '{"class_names_file": "missing.txt"}': "class_names_file .*missing.txt does not exist; give its path "
        "relative to the metadata file's folder",
        '{"chanels": 3}': "must be a JSON object with any of the keys",
    }
    for text, message in cases.items():
        sidecar_path(model).write_text(text)
        with pytest.raises(ModelError, match=f"net.onnx.inspector.json:? {message}"):
            read_sidecar(model, ModelMetadata())
    (tmp_path / "one.txt").write_text("only\n\n")
    sidecar_path(model).write_text('{"class_names_file": "one.txt"}')
    with pytest.raises(ModelError, match="one.txt must hold one class name per line, at least 2 .it holds 1."):
        read_sidecar(model, ModelMetadata())


def test_sidecar_keeps_what_the_file_declares_for_keys_it_lacks(tmp_path):
    declared = ModelMetadata(input_size=(28, 28), channels=1, task="ONNX model")
    model = tmp_path / "digits.onnx"
    assert read_sidecar(model, declared) == declared
    sidecar_path(model).write_text('{"class_names": ["even", "odd"]}')
    assert read_sidecar(model, declared) == ModelMetadata(
        input_size=(28, 28), channels=1, task="ONNX model", class_names=("even", "odd")
    )


def test_write_sidecar_refuses_bad_metadata_and_writes_nothing(tmp_path):
    with pytest.raises(ModelError, match=r"'channels' must be 3 \(RGB\) or 1 \(grey\)"):
        write_sidecar(tmp_path / "net.pt2", {"channels": 2})
    assert not sidecar_path(tmp_path / "net.pt2").exists()
    path = write_sidecar(tmp_path / "net.pt2", {"input_size": [32, 32], "class_names": ["ñandú", "emu"]})
    assert json.loads(path.read_text(encoding="utf-8"))["class_names"] == ["ñandú", "emu"]


def test_sidecar_replaces_the_torchscript_extra_file(tmp_path, mnist_model):
    path = tmp_path / "digits.pt"
    traced = torch.jit.trace(mnist_model.net, torch.zeros(1, 1, 28, 28))
    embedded = {"input_size": [28, 28], "channels": 1, "class_names": [f"digit {d}" for d in range(10)]}
    torch.jit.save(traced, str(path), _extra_files={"inspector.json": json.dumps(embedded)})
    sidecar_path(path).write_text(json.dumps({**embedded, "class_names": [f"d{d}" for d in range(10)]}))
    assert load_model(path, "cpu", trust_code=True).class_names[7] == "d7"
