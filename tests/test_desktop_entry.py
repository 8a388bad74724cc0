"""`inspector install-desktop`: the desktop entry and icon in $XDG_DATA_HOME, naming this installation."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from inspector.cli import main
from inspector.core.io.resources import resource_path
from inspector.desktop_entry import exec_argument

ROOT = Path(__file__).resolve().parents[1]
ENTRY = Path("applications", "robustness-inspector.desktop")
ICON = Path("icons", "hicolor", "scalable", "apps", "robustness-inspector.svg")

pytestmark = pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="desktop entries are for Linux")


def keys(entry: Path) -> dict[str, str]:
    lines = entry.read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line)


@pytest.fixture
def data_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def test_installs_entry_and_icon_naming_the_running_script(data_home, tmp_path, monkeypatch, capsys):
    script = tmp_path / "my venv" / "bin" / "inspector"  # a space: Exec must quote it
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    monkeypatch.setattr(sys, "argv", [str(script)])
    assert main(["install-desktop"]) == 0
    assert capsys.readouterr().out.split() == ["installed", str(data_home / ICON), "installed", str(data_home / ENTRY)]
    assert (data_home / ICON).read_bytes() == resource_path("icons", "robustness-inspector.svg").read_bytes()
    entry = keys(data_home / ENTRY)
    assert entry["Exec"] == f'"{script}" gui %f'
    assert entry["TryExec"] == str(script)
    shipped = keys(resource_path("robustness-inspector.desktop"))
    assert {k: v for k, v in entry.items() if k not in ("Exec", "TryExec")} == {
        k: v for k, v in shipped.items() if k not in ("Exec", "TryExec")
    }
    assert not [p for p in data_home.rglob(".*")]  # no temporary files left


def test_uninstall_removes_both_and_only_them(data_home, capsys):
    assert main(["install-desktop"]) == 0
    other = data_home / "applications" / "other.desktop"
    other.write_text("[Desktop Entry]\n")
    capsys.readouterr()
    assert main(["install-desktop", "--uninstall"]) == 0
    assert capsys.readouterr().out.split() == ["removed", str(data_home / ENTRY), "removed", str(data_home / ICON)]
    assert not (data_home / ENTRY).exists() and not (data_home / ICON).exists() and other.exists()
    assert main(["install-desktop", "--uninstall"]) == 0
    assert capsys.readouterr().out == "nothing to remove\n"


def test_the_installed_exec_line_starts_this_installation(tmp_path):
    """Installed from a process started as `python -m inspector`, Exec runs that Python's inspector."""
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "inspector", "install-desktop"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    command = shlex.split(keys(tmp_path / ENTRY)["Exec"])
    assert command[:3] == [sys.executable, "-m", "inspector"] and command[3:] == ["gui", "%f"]
    listing = subprocess.run([*command[:3], "models"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0 and "efficientnet-lite0" in listing.stdout


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils is not installed")
def test_the_installed_entry_is_valid(data_home):
    assert main(["install-desktop"]) == 0
    done = subprocess.run(["desktop-file-validate", str(data_home / ENTRY)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout


@pytest.mark.parametrize(
    "arg, written",
    [
        ("/usr/bin/inspector", "/usr/bin/inspector"),
        ("/opt/my apps/inspector", '"/opt/my apps/inspector"'),
        ("/opt/100%/inspector", "/opt/100%%/inspector"),
        ('/opt/$x`y"z', '"/opt/\\\\$x\\\\`y\\\\"z"'),
        ("C:\\apps", '"C:\\\\\\\\apps"'),
    ],
)
def test_exec_arguments_are_quoted_and_escaped_as_the_specification_asks(arg, written):
    assert exec_argument(arg) == written


def test_a_folder_that_cannot_be_written_gives_one_line(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))  # a file where a folder should be
    assert main(["install-desktop"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("inspector: error: cannot create ") and err.count("\n") == 1
