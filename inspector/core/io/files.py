"""Files on disk: atomic writes of one file or of a set of files, and looking at a path
with errors a user can act on.

One file is written to a temporary file beside the target, then moved over it
with ``os.replace``. A set of files (:func:`write_files`) is written to a
staging folder first, and moved in only when all are written and no target is
in the way. A failed write leaves nothing half-written and raises :class:`ExportError`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

from inspector.core.util.errors import ExportError, InspectorError
from inspector.core.util.messages import show_path

_UMASK = os.umask(0o022)
os.umask(_UMASK)

#: A staging folder left this many seconds ago belongs to a process that was killed while saving.
STALE_STAGING_S = 600


def write_atomically(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> None:
    """Create or replace ``path`` with what ``write(binary_file)`` writes, all or nothing.

    Raises:
        ExportError: the folder cannot be written, or ``write`` failed (OSError, ValueError, KeyError).
    """
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    except OSError as exc:
        raise ExportError(f"cannot write to {show_path(path.parent)}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except (OSError, ValueError, KeyError) as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write {show_path(path)}: {getattr(exc, 'strerror', None) or exc}") from None


def stat_path(path: str | os.PathLike, error: type[InspectorError]) -> os.stat_result | None:
    """``os.stat(path)``, or None when nothing is there.

    Raises:
        error: (the given :class:`InspectorError` subclass) the path cannot be looked at:
            a name longer than the system allows, no permission, a NUL character.
    """
    try:
        return os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise error(f"{show_path(path)}: {exc.strerror or exc}") from None
    except ValueError:
        raise error(f"{show_path(path)}: not a valid file name (it holds a NUL character)") from None


def regular_file(path: str | os.PathLike, error: type[InspectorError], kind: str) -> os.stat_result:
    """``os.stat(path)`` of an existing regular file (links followed); ``kind`` names it in messages
    (``"image"``, ``"model"``).

    Raises:
        error: nothing is there, it is a folder, a FIFO, a socket or a device (``/dev/zero`` would
            be read without end, a FIFO waited on), or it cannot be looked at (see :func:`stat_path`).
    """
    info = stat_path(path, error)
    article = "an" if kind[0] in "aeiou" else "a"
    if info is None:
        raise error(f"{show_path(path)}: no such {kind} file")
    if stat.S_ISDIR(info.st_mode):
        raise error(f"{show_path(path)}: is a folder, not {article} {kind} file")
    if not stat.S_ISREG(info.st_mode):
        raise error(f"{show_path(path)}: not a regular file (a pipe, socket or device), refused as the {kind} file")
    return info


def write_files(folder: str | os.PathLike, writers: Mapping[str, Callable[[Path], object]]) -> dict[str, Path]:
    """Write the files ``writers`` names into ``folder`` (created if needed): all of them, or none.

    ``writers[name](path)`` writes one file at ``path`` in a staging folder. Once
    all are written and every target is checked (none may be a folder, a symbolic link or
    anything but a regular file), each is
    moved in with ``os.replace``; a failure while moving takes back those already
    moved, and a folder this call created is removed again if the write fails.

    The staging folder is a hidden sibling of ``folder`` in its parent
    (``.NAME.inspector-XXXXXX``), so a process killed while saving leaves nothing
    inside ``folder``. Where the parent cannot be written or is on another file
    system (``folder`` is a mount point; ``os.replace`` works within one file
    system only), it is a hidden folder inside ``folder`` (``.inspector-XXXXXX``).
    Either kind left by a killed process is removed by the next save to the same
    folder once it is STALE_STAGING_S old.

    Returns:
        the written paths by name.

    Raises:
        ExportError: ``folder`` is a file or cannot be created, a target is a folder,
            or a file cannot be written or moved in.
    """
    folder = Path(os.path.abspath(folder))
    created = _make_folder(folder)
    try:
        return _write_via_staging(folder, writers)
    except BaseException:
        if created:
            _remove_if_empty(folder)
        raise


def check_files(folder: str | os.PathLike, names: Iterable[str]) -> None:
    """Before the work: what :func:`write_files` checks, run without writing or creating anything.
    ``folder`` is an existing folder or can be created (the nearest existing path above it is a
    folder), and none of ``names`` in it is a folder, a symbolic link or anything but a regular file.

    Raises:
        ExportError: as :func:`write_files` would for those reasons, with the same message.
    """
    folder = Path(os.path.abspath(folder))
    info = stat_path(folder, ExportError)
    if info is None:
        above = folder.parent
        while (above_info := stat_path(above, ExportError)) is None and above.parent != above:
            above = above.parent
        if above_info is not None and not stat.S_ISDIR(above_info.st_mode):
            raise ExportError(f"cannot create the folder {show_path(folder)}: {show_path(above)} is a file")
        return
    if not stat.S_ISDIR(info.st_mode):
        raise ExportError(f"cannot write to {show_path(folder)}: it is a file, not a folder")
    for name in names:
        _check_target(folder / name)


def _write_via_staging(folder: Path, writers: Mapping[str, Callable[[Path], object]]) -> dict[str, Path]:
    staging = _staging_folder(folder)
    try:
        for name, write in writers.items():
            write(staging / name)
        for name in writers:
            _check_target(folder / name)
        return _move_in(staging, folder, list(writers))
    except OSError as exc:
        raise ExportError(f"cannot write to {show_path(folder)}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _make_folder(folder: Path) -> bool:
    """Create ``folder`` if needed; True if this call created it."""
    info = stat_path(folder, ExportError)
    if info is not None:
        if not stat.S_ISDIR(info.st_mode):
            raise ExportError(f"cannot write to {show_path(folder)}: it is a file, not a folder")
        return False
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise ExportError(f"cannot create the folder {show_path(folder)}: {exc.strerror or exc}") from None
    return True


def _staging_folder(folder: Path) -> Path:
    """A new hidden staging folder on ``folder``'s file system, outside ``folder`` where possible."""
    parent = folder.parent
    if parent != folder and os.access(parent, os.W_OK) and _same_file_system(parent, folder):
        prefix = f".{folder.name}.inspector-"
        _remove_stale(parent, prefix)
        try:
            return Path(tempfile.mkdtemp(dir=parent, prefix=prefix))
        except OSError:
            pass
    _remove_stale(folder, ".inspector-")
    try:
        return Path(tempfile.mkdtemp(dir=folder, prefix=".inspector-"))
    except OSError as exc:
        raise ExportError(f"cannot write to {show_path(folder)}: {exc.strerror or exc}") from None


def _same_file_system(a: Path, b: Path) -> bool:
    try:
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


def _remove_stale(where: Path, prefix: str) -> None:
    """Remove staging folders named ``prefix...`` in ``where`` left STALE_STAGING_S ago or more."""
    cutoff = time.time() - STALE_STAGING_S
    try:
        entries = [e for e in os.scandir(where) if e.name.startswith(prefix)]
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < cutoff:
                shutil.rmtree(entry.path, ignore_errors=True)
        except OSError:
            continue


def _check_target(path: Path) -> None:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISDIR(info.st_mode):
        raise ExportError(f"cannot write {show_path(path)}: a folder of that name is in the way")
    if not stat.S_ISREG(info.st_mode):
        what = "a symbolic link" if stat.S_ISLNK(info.st_mode) else "not a regular file"
        raise ExportError(f"cannot write {show_path(path)}: {what} is in its place; remove it or choose another folder")


def _move_in(staging: Path, folder: Path, names: list[str]) -> dict[str, Path]:
    """``os.replace`` each staged file into ``folder``; on any failure, remove those moved in and re-raise."""
    moved: dict[str, Path] = {}
    try:
        for name in names:
            os.replace(staging / name, folder / name)
            moved[name] = folder / name
    except BaseException:
        for path in moved.values():
            path.unlink(missing_ok=True)
        raise
    return moved


def _remove_if_empty(folder: Path) -> None:
    with contextlib.suppress(OSError):
        folder.rmdir()
