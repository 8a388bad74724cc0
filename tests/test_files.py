"""Writing a set of files all or nothing: staging beside the folder, a kill while saving, stale leftovers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from inspector.core.io import files
from inspector.core.io.files import STALE_STAGING_S, write_files
from inspector.core.util.errors import ExportError

KILLED_WHILE_SAVING = """
import os, signal, sys
from inspector.core.io.files import write_files
write_files(sys.argv[1], {"a.txt": lambda p: p.write_text("a"),
                          "b.txt": lambda p: os.kill(os.getpid(), signal.SIGKILL)})
"""


def _text(content):
    return lambda path: path.write_text(content)


def test_writes_every_file_and_leaves_no_staging_folder(tmp_path):
    paths = write_files(tmp_path / "out", {"a.txt": _text("a"), "b.txt": _text("b")})
    assert paths == {"a.txt": tmp_path / "out" / "a.txt", "b.txt": tmp_path / "out" / "b.txt"}
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt", "b.txt", "out"]
    assert (tmp_path / "out" / "b.txt").read_text() == "b"


def test_a_failing_writer_leaves_nothing_not_even_the_folder_it_made(tmp_path):
    def fail(path):
        raise ExportError("disk full")

    with pytest.raises(ExportError, match="disk full"):
        write_files(tmp_path / "out", {"a.txt": _text("a"), "b.txt": fail})
    assert list(tmp_path.iterdir()) == []


def test_a_folder_in_the_way_is_found_before_anything_moves_in(tmp_path):
    (tmp_path / "out" / "c.txt").mkdir(parents=True)
    (tmp_path / "out" / "a.txt").write_text("old")
    with pytest.raises(ExportError, match="c.txt: a folder of that name is in the way"):
        write_files(tmp_path / "out", {"a.txt": _text("new"), "b.txt": _text("b"), "c.txt": _text("c")})
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt", "c.txt"]
    assert (tmp_path / "out" / "a.txt").read_text() == "old"


def test_a_kill_while_saving_leaves_nothing_in_the_folder_and_the_next_save_clears_it(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    proc = subprocess.run([sys.executable, "-c", KILLED_WHILE_SAVING, str(out)], timeout=120)
    assert proc.returncode == -9
    assert list(out.iterdir()) == []
    (left,) = [p for p in tmp_path.iterdir() if p != out]  # the staging folder, beside out/
    assert left.name.startswith(".out.inspector-") and (left / "a.txt").exists()
    write_files(out, {"a.txt": _text("a")})
    assert left.exists()  # it may still be in use
    old = left.stat().st_mtime - STALE_STAGING_S - 1
    os.utime(left, (old, old))
    write_files(out, {"a.txt": _text("a")})
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt", "out"]


def test_stages_inside_the_folder_where_its_parent_will_not_do(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "_same_file_system", lambda a, b: False)  # e.g. the folder is a mount point
    staged = []
    write_files(tmp_path / "out", {"a.txt": lambda p: staged.append(p.parent) or p.write_text("a")})
    assert staged[0].parent == tmp_path / "out" and staged[0].name.startswith(".inspector-")
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.txt", "out"]


def test_the_folder_cannot_be_a_file(tmp_path):
    (tmp_path / "out").write_text("x")
    with pytest.raises(ExportError, match="it is a file, not a folder"):
        write_files(tmp_path / "out", {"a.txt": _text("a")})
