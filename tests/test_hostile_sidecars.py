"""A model's sidecar (MODEL.inspector.json) and the class names file it names are untrusted input.

Whoever sends a model sends its sidecar: a sidecar nested a million levels deep, a FIFO in its
place, a ``class_names_file`` that is ``/dev/zero``, a FIFO, a 1 GB file, an absolute path, a
``../`` path or a symbolic link out of the folder each end in one line (exit 2), fast and within
the memory bound, without reading what lies outside the sidecar's folder.
"""

from __future__ import annotations

import json
import os
import shutil
import time

import pytest
from hostile import run_inspector

from inspector.core.io.resources import resource_path
from inspector.core.models.formats.sidecar import MAX_SIDECAR_BYTES, read_sidecar, sidecar_path
from inspector.core.models.metadata import MAX_NAME_LENGTH, ModelMetadata, parse_metadata
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.errors import ModelError

DIGIT = str(resource_path("images", "mnist-3.png"))
WEIGHTS = resource_path("models", "mnist-standard.safetensors")
GREY = '"input_size": [28, 28], "channels": 1'


@pytest.fixture
def model(tmp_path):
    """A real digit model file (weights for the mnist-cnn architecture) in a folder of its own."""
    folder = tmp_path / "sent"
    folder.mkdir()
    return shutil.copy(WEIGHTS, folder / "digits.safetensors")


def classify(path) -> list[str]:
    return ["classify", DIGIT, "--model", "mnist-cnn", "--weights", str(path), "--top", "1"]


def with_names_file(model, relative: str):
    sidecar_path(model).write_text(json.dumps({"input_size": [28, 28], "channels": 1, "class_names_file": relative}))


# ---- the sidecar itself -------------------------------------------------------------------------


def test_a_sidecar_nested_a_million_levels_is_one_line(model):
    sidecar_path(model).write_text("[" * 1_000_000 + "]" * 1_000_000)  # 2 MB: over the size bound too
    run_inspector(*classify(model)).assert_refused("digits.safetensors.inspector.json")
    sidecar_path(model).write_text("[" * 400_000)  # under 1 MB: the nesting is refused
    with pytest.raises(ModelError, match="nested too deeply"):
        read_sidecar(model, ModelMetadata())


def test_a_fifo_as_the_sidecar_is_refused_without_waiting_for_a_writer(model):
    os.mkfifo(sidecar_path(model))
    run_inspector(*classify(model)).assert_refused("not a regular file", "digits.safetensors.inspector.json")


def test_a_sidecar_over_its_size_bound_or_not_a_file_is_refused(model):
    sidecar_path(model).write_text('{"task": "' + "x" * MAX_SIDECAR_BYTES + '"}')
    with pytest.raises(ModelError, match="over the 1.0 MB"):
        read_sidecar(model, ModelMetadata())
    sidecar_path(model).unlink()
    sidecar_path(model).mkdir()
    with pytest.raises(ModelError, match="is a folder"):
        read_sidecar(model, ModelMetadata())


def test_the_torchscript_extra_file_is_parsed_with_bounded_nesting(tmp_path):
    with pytest.raises(ModelError, match=r"^net.pt: inspector.json: JSON nested too deeply"):
        parse_metadata("[" * 1_000_000, "net.pt: inspector.json", folder=tmp_path)
    with pytest.raises(ModelError, match=r"^net.pt: inspector.json: 'class_names'"):
        parse_metadata(json.dumps({"class_names": ["x"] * (MAX_COUNT + 1)}), "net.pt: inspector.json")
    with pytest.raises(ModelError, match=rf"'class_names'\[1\] must be .* at most {MAX_NAME_LENGTH} characters"):
        parse_metadata(json.dumps({"class_names": ["a", "b" * (MAX_NAME_LENGTH + 1)]}), "net.pt: inspector.json")


# ---- its class names file -----------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["fifo", "sparse 1 GB"])
def test_a_fifo_or_a_1_gb_class_names_file_is_refused_fast_and_small(model, kind):
    names = model.parent / "names.txt"
    if kind == "fifo":
        os.mkfifo(names)
    else:
        with open(names, "wb") as fh:
            fh.truncate(2**30)
    with_names_file(model, "names.txt")
    outcome = run_inspector(*classify(model))
    outcome.assert_refused("class_names_file", "names.txt")
    assert outcome.peak_mb < 1024 and outcome.seconds < 30, (outcome.peak_mb, outcome.seconds)


@pytest.fixture
def outside(tmp_path):
    """A readable names file outside the model's folder, which the sidecar must not reach."""
    path = tmp_path / "secret.txt"
    path.write_text("alpha\nbeta\ngamma\n")
    return path


@pytest.mark.parametrize(
    "relative, phrase",
    [
        ("/dev/zero", "must be a path relative to"),
        ("/etc/passwd", "must be a path relative to"),
        ("../secret.txt", "leads outside"),
        ("sub/../../secret.txt", "leads outside"),
        ("link.txt", "leads outside"),  # a symbolic link inside the folder, to the file outside
        ("zero.txt", "leads outside"),  # a symbolic link to /dev/zero
    ],
)
def test_a_class_names_file_outside_the_sidecars_folder_is_refused(model, outside, relative, phrase):
    (model.parent / "sub").mkdir()
    (model.parent / "link.txt").symlink_to(outside)
    (model.parent / "zero.txt").symlink_to("/dev/zero")
    with_names_file(model, relative)
    start = time.monotonic()
    with pytest.raises(ModelError, match=phrase) as caught:
        read_sidecar(model, ModelMetadata())
    assert time.monotonic() - start < 5
    assert "\n" not in str(caught.value) and "digits.safetensors.inspector.json: class_names_file" in str(caught.value)


@pytest.mark.parametrize(
    "content, phrase",
    [
        ("a\n" + "x" * (MAX_NAME_LENGTH + 1) + "\n", f"at most {MAX_NAME_LENGTH} are accepted"),
        ("n\n" * (MAX_COUNT + 1), f"at most {MAX_COUNT:,} are accepted"),
        (b"\xff\xfe\xfa not text\nb\n", "not UTF-8"),
        ("only one\n", "at least 2"),
    ],
)
def test_a_class_names_file_with_too_many_or_too_long_names_is_refused(model, content, phrase):
    names = model.parent / "names.txt"
    names.write_bytes(content if isinstance(content, bytes) else content.encode())
    with_names_file(model, "names.txt")
    with pytest.raises(ModelError, match=phrase):
        read_sidecar(model, ModelMetadata())


def test_a_class_names_file_in_a_subfolder_and_through_a_link_inside_still_loads(model):
    (model.parent / "labels").mkdir()
    (model.parent / "labels" / "digits.txt").write_text("".join(f"digit {i}\n" for i in range(10)))
    (model.parent / "names.txt").symlink_to(model.parent / "labels" / "digits.txt")
    for relative in ("labels/digits.txt", "names.txt", "labels/../labels/digits.txt"):
        with_names_file(model, relative)
        assert read_sidecar(model, ModelMetadata()).class_names == tuple(f"digit {i}" for i in range(10))


def test_the_model_setup_dialog_opens_beside_a_fifo_sidecar_without_waiting(qtbot, model):
    from inspector.core.models.loading import load_model
    from inspector.gui.model_setup import ModelSetupDialog

    loaded = load_model("mnist-cnn", "cpu", weights=model)
    os.mkfifo(sidecar_path(model))
    start = time.monotonic()
    dialog = ModelSetupDialog(model, loaded)
    qtbot.addWidget(dialog)
    assert time.monotonic() - start < 10
    assert dialog.names_file_edit.text() == "" and dialog.height_box.value() == 28
