"""Reading hostile files: a FIFO, a device, a huge file, deep JSON and paths out of their folder
are refused in one line, without hanging or reading them whole."""

from __future__ import annotations

import os
import threading

import pytest

from inspector.core.io.untrusted import MAX_JSON_DEPTH, inside, parse_json, read_bytes, read_json, read_text
from inspector.core.util.errors import ModelError


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "names.txt"
    os.mkfifo(fifo)
    done = []
    reader = threading.Thread(
        target=lambda: done.append(pytest.raises(ModelError, read_bytes, fifo, ModelError, "class names", 1024))
    )
    reader.start()
    reader.join(5)
    assert done, "reading a FIFO with no writer blocked"
    assert "not a regular file" in str(done[0].value)


def test_a_device_and_a_folder_are_refused(tmp_path):
    with pytest.raises(ModelError, match="not a regular file"):
        read_bytes("/dev/zero", ModelError, "class names", 1024)
    with pytest.raises(ModelError, match="is a folder"):
        read_bytes(tmp_path, ModelError, "class names", 1024)


def test_a_file_over_the_bound_is_refused_before_it_is_read(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(2**30)  # 1 GB, sparse
    with pytest.raises(ModelError, match="over the 1.0 MB"):
        read_bytes(big, ModelError, "class names", 2**20)
    small = tmp_path / "small.txt"
    small.write_bytes(b"a\nb\n")
    assert read_bytes(small, ModelError, "class names", 4) == b"a\nb\n"


def test_text_that_is_not_utf8_is_one_error(tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("caf\xe9".encode("latin-1"))
    with pytest.raises(ModelError, match="not UTF-8 text"):
        read_text(latin, ModelError, "class names", 1024)


def test_json_nested_a_million_levels_is_refused_in_one_line():
    with pytest.raises(ModelError, match="nested too deeply") as caught:
        parse_json("[" * 1_000_000 + "]" * 1_000_000, "deep.json", ModelError)
    assert "\n" not in str(caught.value)
    deep_but_parsable = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    with pytest.raises(ModelError, match="nested too deeply"):
        parse_json(deep_but_parsable, "deep.json", ModelError)
    assert parse_json("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, "ok.json", ModelError) is not None


def test_json_refuses_nan_and_garbage(tmp_path):
    with pytest.raises(ModelError, match="not valid JSON"):
        parse_json('{"a": NaN}', "x.json", ModelError)
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ModelError, match="not valid JSON"):
        read_json(bad, ModelError, "metadata")


def test_inside_refuses_absolute_parent_and_symlinked_paths(tmp_path):
    (tmp_path / "ok.txt").write_text("x")
    assert inside(tmp_path, "ok.txt", ModelError, "sidecar") == (tmp_path / "ok.txt").resolve()
    for bad in ("/etc/passwd", "../secret.txt", "sub/../../secret.txt"):
        with pytest.raises(ModelError, match="relative|outside"):
            inside(tmp_path, bad, ModelError, "sidecar")
    (tmp_path / "link.txt").symlink_to("/etc/hostname")
    with pytest.raises(ModelError, match="outside"):
        inside(tmp_path, "link.txt", ModelError, "sidecar")


def test_an_image_that_is_a_fifo_or_a_device_is_refused_without_reading(tmp_path):
    from inspector.core.io.image import load_image
    from inspector.core.util.errors import ImageError

    fifo = tmp_path / "photo.png"
    os.mkfifo(fifo)
    for path in (fifo, "/dev/zero"):
        with pytest.raises(ImageError, match="not a regular file"):
            load_image(path)
