"""Why Qt's X11 platform plugin would fail to load, told in one line before Qt aborts.

On Linux the desktop app runs on Qt's ``xcb`` plugin, which needs several
libxcb libraries that a minimal X11 desktop may lack (libxcb-cursor0,
libxcb-icccm4, libxcb-keysyms1, ...). Without them Qt prints a multi-line
message that often names the wrong package, and aborts the process.

The check runs ``ldd`` on the plugin shipped with PySide6 and collects the
libraries it reports as "not found": one cheap call (milliseconds), no
display connection, nothing loaded into this process. It stays silent when
it cannot tell (no ``ldd``, no plugin) and when Qt will not use xcb; Qt then
reports any problem itself.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from PySide6.QtCore import QLibraryInfo

# Debian names a library package after the soname ("libxcb-icccm.so.4" -> "libxcb-icccm4");
# the exceptions among the libraries the Qt plugin needs:
_PACKAGE_EXCEPTIONS = {"libglib-2.0.so.0": "libglib2.0-0", "libgthread-2.0.so.0": "libglib2.0-0"}


def platform_problem(env: Mapping[str, str] = os.environ, plugin: Path | None = None) -> str | None:
    """One line that names the missing libraries and the command that installs them, or None.

    Checked only on Linux, with ``DISPLAY`` set, when Qt will pick the xcb plugin:
    ``QT_QPA_PLATFORM`` is ``xcb``, or unset outside a Wayland session.
    ``plugin`` is the xcb plugin's file (default: PySide6's own).
    """
    platform = env.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0]
    default_xcb = not platform and not env.get("WAYLAND_DISPLAY")
    if not sys.platform.startswith("linux") or not env.get("DISPLAY") or not (platform == "xcb" or default_xcb):
        return None
    plugin = plugin or Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / "libqxcb.so"
    ldd = shutil.which("ldd")
    if not ldd or not plugin.is_file():
        return None
    try:
        out = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    missing = missing_libraries(out)
    if not missing:
        return None
    packages = " ".join(dict.fromkeys(debian_package(lib) for lib in missing))
    return (
        f"Qt's X11 platform plugin (xcb) cannot load: {', '.join(missing)} not found; "
        f"on Debian or Ubuntu: sudo apt-get install {packages}"
    )


def missing_libraries(ldd_output: str) -> list[str]:
    """The sonames ``ldd`` reports as "not found", each once, in order."""
    return list(dict.fromkeys(re.findall(r"^\s*(\S+) => not found", ldd_output, re.MULTILINE)))


def debian_package(soname: str) -> str:
    """The Debian/Ubuntu package that ships ``soname``, e.g. libxkbcommon-x11.so.0 -> libxkbcommon-x11-0."""
    if soname in _PACKAGE_EXCEPTIONS:
        return _PACKAGE_EXCEPTIONS[soname]
    name, _, version = soname.partition(".so.")
    if not version:
        return name.lower()
    separator = "-" if name[-1].isdigit() else ""
    return f"{name.lower()}{separator}{version.split('.')[0]}"
