"""The one-line message for a Linux desktop that lacks the libraries of Qt's xcb plugin."""

import ctypes
import shutil
import sys
from types import SimpleNamespace

import pytest

from inspector.gui import app
from inspector.gui.platform_check import debian_package, missing_libraries, platform_problem

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd1a5e9000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/plugins/platforms/../../lib/libQt6XcbQpa.so.6 (0x00007f0e1c800000)
\tlibxcb-cursor.so.0 => /lib/x86_64-linux-gnu/libxcb-cursor.so.0 (0x00007f0e1d0e4000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\t/lib64/ld-linux-x86-64.so.2 (0x00007f0e1d12b000)
"""

# Checked with `dpkg -S` on Debian 12 for the libraries `ldd` lists for PySide6 6.11's libqxcb.so.
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libEGL.so.1": "libegl1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libpng16.so.16": "libpng16-16",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}

linux_with_ldd = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not shutil.which("ldd"), reason="needs Linux and ldd"
)


def test_missing_libraries_from_ldd_output():
    assert missing_libraries(LDD_OUTPUT) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert missing_libraries("\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\n") == []


@pytest.mark.parametrize("soname, package", PACKAGES.items())
def test_debian_package_names(soname, package):
    assert debian_package(soname) == package


@pytest.mark.parametrize(
    "env",
    [
        {},  # no display: Qt says so itself
        {"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"},
        {"DISPLAY": ":0", "QT_QPA_PLATFORM": "wayland;xcb"},
        {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"},  # Qt prefers Wayland there
    ],
)
def test_silent_where_qt_does_not_load_xcb(env, tmp_path):
    # a plugin file ldd cannot read would show up as a problem if it were checked
    (tmp_path / "libqxcb.so").write_bytes(b"not a library")
    assert platform_problem(env, tmp_path / "libqxcb.so") is None


@linux_with_ldd
@pytest.mark.parametrize("env", [{"DISPLAY": ":0"}, {"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"}])
def test_names_exactly_the_libraries_this_machine_lacks(env):
    """On PySide6's real plugin: a library is named if and only if the dynamic loader cannot find it."""
    problem = platform_problem(env) or ""
    assert "\n" not in problem
    for soname in ("libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxkbcommon-x11.so.0"):
        try:
            ctypes.CDLL(soname)
            loads = True
        except OSError:
            loads = False
        assert (soname in problem) == (not loads), soname
        assert (debian_package(soname) in problem) == (not loads), soname


def test_the_app_prints_the_problem_instead_of_starting(monkeypatch, capsys):
    monkeypatch.setattr(app.QApplication, "instance", staticmethod(lambda: None))
    monkeypatch.setattr(
        app, "platform_problem", lambda: "libxcb-icccm.so.4 not found; sudo apt-get install libxcb-icccm4"
    )
    assert app.run_gui(SimpleNamespace()) == app.EXIT_ERROR
    assert (
        capsys.readouterr().err == "inspector: error: libxcb-icccm.so.4 not found; sudo apt-get install libxcb-icccm4\n"
    )
