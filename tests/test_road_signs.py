"""Road signs: the rendered demo signs, GTSRB's folder layout and array files, the road-sign models."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hostile import run_inspector
from PIL import Image

from inspector.core.evaluation.data import load_dataset
from inspector.core.io.datasets.gtsrb import load_npz, train_validation_split
from inspector.core.io.image import load_tensor
from inspector.core.io.resources import resource_path
from inspector.core.io.sign_render import SIGNS, render_sign
from inspector.core.models.classifier import Classifier
from inspector.core.models.loading import load_model
from inspector.core.models.zoo.gtsrb_cnn import CLASS_NAMES, GtsrbCNN
from inspector.core.util.errors import ImageError

DEMO_SIGNS = resource_path("images", "road-signs")


@pytest.fixture(scope="module")
def road_sign_model():
    return load_model("gtsrb-standard")


def test_every_demo_sign_ships_as_the_renderer_draws_it():
    for name in SIGNS:
        shipped = np.asarray(Image.open(DEMO_SIGNS / f"{name}.png").convert("RGB"), dtype=np.float32)
        drawn = np.asarray(render_sign(name), dtype=np.float32)
        assert shipped.shape == drawn.shape == (128, 128, 3)
        assert np.abs(shipped - drawn).mean() < 1.0, name  # font rasterising may differ by a level across Pillows


def test_gtsrb_standard_reads_every_demo_sign_with_at_least_90_percent(road_sign_model):
    for name, (label, _) in SIGNS.items():
        x = load_tensor(DEMO_SIGNS / f"{name}.png", road_sign_model.input_size, 3, road_sign_model.resize)
        with torch.no_grad():
            p = road_sign_model(x).softmax(1)[0]
        assert int(p.argmax()) == label, f"{name} read as {CLASS_NAMES[int(p.argmax())]}"
        assert float(p[label]) >= 0.9, f"{name}: {float(p[label]):.2f}"


def _gtsrb_folder(root, rows: list[str], images: dict[str, str]):
    """A folder in GTSRB's test-set layout: .ppm photos and GT-final_test.csv with ``rows``."""
    root.mkdir()
    for file, sign in images.items():
        render_sign(sign, size=40).save(root / file)
    header = "Filename;Width;Height;Roi.X1;Roi.Y1;Roi.X2;Roi.Y2;ClassId"
    (root / "GT-final_test.csv").write_text("\n".join([header, *rows]) + "\n")
    return root


def _untrained_road_sign_classifier() -> Classifier:
    return Classifier(GtsrbCNN().eval(), name="gtsrb-cnn", input_size=(32, 32), channels=3, class_names=CLASS_NAMES)


def test_a_gtsrb_folder_is_labelled_by_its_annotation_file(tmp_path):
    folder = _gtsrb_folder(
        tmp_path / "GTSRB",
        ["00000.ppm;40;40;4;4;35;35;14", "00001.ppm;40;40;4;4;35;35;17"],
        {"00000.ppm": "stop", "00001.ppm": "no-entry"},
    )
    samples = load_dataset(str(folder), _untrained_road_sign_classifier())
    assert [(s.id, s.label) for s in samples] == [("00000.ppm", 14), ("00001.ppm", 17)]
    assert samples[0].load(_untrained_road_sign_classifier()).shape == (1, 3, 32, 32)


@pytest.mark.parametrize(
    ("row", "phrase"),
    [
        ("../outside.ppm;40;40;4;4;35;35;14", "inside that folder"),
        ("00000.ppm;40;40;4;4;35;35;43", "is not a class from 0 to 42"),
        ("00000.ppm;40;40;14", "fields, the header has 8"),
        ("missing.ppm;40;40;4;4;35;35;1", "no such image"),
    ],
)
def test_a_hostile_gtsrb_annotation_is_refused_in_one_line(tmp_path, row, phrase):
    (tmp_path / "outside.ppm").write_bytes(b"P6 1 1 255\n\0\0\0")
    folder = _gtsrb_folder(tmp_path / "GTSRB", [row], {"00000.ppm": "stop"})
    with pytest.raises(ImageError, match=phrase):
        load_dataset(str(folder), _untrained_road_sign_classifier())


def test_a_gtsrb_folder_for_a_model_of_other_classes_is_refused_by_the_cli(tmp_path):
    folder = _gtsrb_folder(tmp_path / "GTSRB", ["00000.ppm;40;40;4;4;35;35;14"], {"00000.ppm": "stop"})
    outcome = run_inspector("evaluate", str(folder), "--model", "mnist-standard", "--out", str(tmp_path / "o"))
    outcome.assert_refused("GTSRB's 43 road-sign classes", "has 10 classes")


def test_an_array_file_with_pickled_objects_is_refused_without_unpickling(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, images=np.array([object()], dtype=object), labels=np.zeros(1, np.uint8))
    with pytest.raises(ImageError, match="not a GTSRB array file"):
        load_npz(path)


def test_the_validation_split_holds_out_the_last_tenth_of_each_class():
    y = torch.tensor([0] * 20 + [1] * 10)
    x = torch.arange(30).float().view(30, 1, 1, 1)
    split = train_validation_split(x, y)
    assert split["validation"][0].flatten().tolist() == [18, 19, 29]
    assert split["train"][1].tolist() == [0] * 18 + [1] * 9
