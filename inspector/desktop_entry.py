"""``inspector install-desktop``: the app in the desktop's menu, for this user (Linux desktops).

Copies the shipped desktop entry (``resources/robustness-inspector.desktop``)
into ``$XDG_DATA_HOME/applications`` and the icon into
``$XDG_DATA_HOME/icons/hicolor/scalable/apps`` (``XDG_DATA_HOME`` defaults to
``~/.local/share``), with ``Exec`` and ``TryExec`` naming the command that
started this process: a frozen bundle's executable, the ``inspector`` script
of a virtual environment, or this Python with ``-m inspector``. Files are
written atomically; ``uninstall`` removes them. No Qt, no torch.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from platformdirs import user_data_path

from inspector.core.io.files import write_atomically
from inspector.core.io.resources import resource_path
from inspector.core.util.errors import ExportError, InspectorError

APP_ID = "robustness-inspector"
ENTRY_FILE, ICON_FILE = f"{APP_ID}.desktop", f"{APP_ID}.svg"
# Characters that oblige an Exec argument to be quoted (Desktop Entry Specification 1.5, "The Exec key").
RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def installed_paths(data_home: Path | None = None) -> tuple[Path, Path]:
    """Where the desktop entry and the icon go: under ``data_home`` (default: the XDG data folder)."""
    home = Path(data_home) if data_home is not None else user_data_path()
    return home / "applications" / ENTRY_FILE, home / "icons" / "hicolor" / "scalable" / "apps" / ICON_FILE


def launcher_command() -> list[str]:
    """The command that starts this installation of the app."""
    if getattr(sys, "frozen", False):  # a PyInstaller bundle
        return [sys.executable]
    script = Path(sys.argv[0])
    if script.stem == "inspector" and script.is_file():  # the console script pip installed
        return [str(script.absolute())]
    return [sys.executable, "-m", "inspector"]


def exec_argument(arg: str) -> str:
    """``arg`` as one argument of an Exec value, quoted and escaped as the specification asks."""
    arg = arg.replace("%", "%%")
    if RESERVED.intersection(arg):
        arg = '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'
    return arg.replace("\\", "\\\\")  # the value is a string: a backslash is written twice


def desktop_entry(command: list[str]) -> str:
    """The shipped desktop entry with ``Exec`` running ``command gui FILE`` and ``TryExec`` its executable."""
    lines = []
    for line in resource_path(ENTRY_FILE).read_text(encoding="utf-8").splitlines():
        key = line.partition("=")[0]
        if key == "Exec":
            line = "Exec=" + " ".join(exec_argument(a) for a in command) + " gui %f"
        elif key == "TryExec":
            line = "TryExec=" + command[0].replace("\\", "\\\\")
        lines.append(line)
    return "\n".join(lines) + "\n"


def _check_platform() -> None:
    if sys.platform in ("win32", "darwin"):
        raise InspectorError(
            "install-desktop is for Linux desktops; on Windows and macOS use the app bundle (packaging/README.md)"
        )


def install(data_home: Path | None = None, command: list[str] | None = None) -> list[Path]:
    """Write the desktop entry and the icon; returns their paths.

    Raises:
        ExportError: a folder or file cannot be written.
    """
    _check_platform()
    entry_path, icon_path = installed_paths(data_home)
    files = {
        icon_path: resource_path("icons", ICON_FILE).read_bytes(),
        entry_path: desktop_entry(command or launcher_command()).encode("utf-8"),
    }
    for path, data in files.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
        write_atomically(path, lambda fh, data=data: fh.write(data))
    return list(files)


def uninstall(data_home: Path | None = None) -> list[Path]:
    """Remove the desktop entry and the icon; returns those that were there.

    Raises:
        ExportError: a file cannot be removed.
    """
    _check_platform()
    removed = []
    for path in installed_paths(data_home):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise ExportError(f"cannot remove {path}: {exc.strerror or exc}") from None
        removed.append(path)
    return removed
