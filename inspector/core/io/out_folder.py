"""Output folders the tool writes into, and the files in them it reads back to resume.

An output folder (``evaluate --out``, ``steal --out``, ``poison --out``, a LiRA
cache...) may have been sent by someone else, to be resumed, and its members
may be booby-trapped: ``results.jsonl`` a symbolic link to ``~/.bashrc``, a
FIFO named ``manifest.json``. The rules:

- every output is checked before the work starts (:func:`check_folder`,
  :func:`check_file`), without creating anything, so a bad ``--out`` or
  ``--report`` fails in a second, leaving nothing behind;
- a member the tool writes or reads back must be absent or a regular file with
  a single link (:func:`check_member`): a symbolic link, a hard link, a folder, a
  FIFO, a socket or a device in its place is refused, naming it;
- a member read back as resume state is read bounded and without following a
  link (:func:`read_member`); one appended to is opened with ``O_NOFOLLOW``
  (:func:`open_for_append`); members are otherwise replaced atomically
  (:func:`inspector.core.io.files.write_atomically`), which replaces a link itself,
  never its target.

The folder itself may be a symbolic link: the user typed that path, and the
tool follows it. Only what is inside is distrusted.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from inspector.core.io.files import stat_path
from inspector.core.io.untrusted import read_bytes
from inspector.core.util.errors import ExportError, InspectorError
from inspector.core.util.messages import one_line, show_path

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def check_member(path: str | os.PathLike, error: type[InspectorError] = ExportError) -> os.stat_result | None:
    """``os.lstat(path)`` of an output folder's member: None when absent, else a regular file with one link.

    Raises:
        error: it is a symbolic link, a hard link to another file, a folder, a FIFO, a
            socket or a device, or it cannot be looked at.
    """
    shown = show_path(path)
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise error(f"{shown}: cannot look at it ({exc.strerror or one_line(exc)})") from None
    except ValueError:
        raise error(f"{shown}: not a valid file name (it holds a NUL character)") from None
    what = _odd_kind(info)
    if what:
        raise error(
            f"{shown}: {what} in the output folder, refused (the tool never writes or resumes through "
            "it); remove it or choose another folder"
        )
    return info


def check_folder(
    folder: str | os.PathLike,
    members: Iterable[str] = (),
    *,
    error: type[InspectorError] = ExportError,
    option: str = "--out",
) -> None:
    """Check, creating nothing, that ``folder`` can be written: an existing writable folder
    (a symbolic link to one is followed), or a path that can be created; and that each name in
    ``members`` inside it passes :func:`check_member`.

    Raises:
        error: ``folder`` is a file, is not writable, or cannot be created (the nearest existing
            folder above it is a file or not writable); a member is refused.
    """
    folder = Path(folder)
    info = stat_path(folder, error)
    if info is None:
        _check_creatable(folder, error, option)
        return
    if not stat.S_ISDIR(info.st_mode):
        raise error(f"{option} {show_path(folder)}: it is a file, not a folder; choose a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise error(f"{option} {show_path(folder)}: the folder is not writable; choose another")
    for name in members:
        check_member(folder / name, error)


def check_file(path: str | os.PathLike, *, error: type[InspectorError] = ExportError, option: str = "--report") -> None:
    """Check, creating nothing, that the file ``path`` can be written atomically: not a folder,
    in an existing writable folder (a file already there is replaced, a symbolic link itself
    replaced, never its target).

    Raises:
        error: ``path`` is a folder, or its folder does not exist or is not writable.
    """
    path = Path(path)
    info = stat_path(path, error)
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise error(f"{option} {show_path(path)}: it is a folder; give a file name")
    parent = path.parent
    parent_info = stat_path(parent, error)
    if parent_info is None or not stat.S_ISDIR(parent_info.st_mode):
        raise error(f"{option} {show_path(path)}: the folder {show_path(parent)} does not exist; create it first")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise error(f"{option} {show_path(path)}: the folder {show_path(parent)} is not writable")


def read_member(path: str | os.PathLike, error: type[InspectorError], kind: str, max_bytes: int) -> bytes:
    """The bytes of the output folder's member ``path`` (resume state), at most ``max_bytes``.

    Raises:
        error: absent, refused by :func:`check_member`, or as
            :func:`inspector.core.io.untrusted.read_bytes` (over ``max_bytes``, unreadable).
    """
    if check_member(path, error) is None:
        raise error(f"{show_path(path)}: no such {kind} file")
    return read_bytes(path, error, kind, max_bytes)


def open_for_append(path: str | os.PathLike, error: type[InspectorError] = ExportError, *, read: bool = False) -> int:
    """A file descriptor appending to the member ``path`` (created if absent), never through a link;
    with ``read``, it can also be read from and truncated (resuming).

    Raises:
        error: a symbolic link, a hard link, or not a regular file is there, or it cannot be opened.
    """
    flags = (os.O_RDWR if read else os.O_WRONLY) | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_NOCTTY | _NOFOLLOW
    try:
        fd = os.open(path, flags, 0o666)
    except OSError as exc:
        check_member(path, error)  # names a link or a FIFO in the way
        raise error(f"{show_path(path)}: cannot write ({exc.strerror or one_line(exc)})") from None
    try:
        what = _odd_kind(os.fstat(fd))
        if what:
            raise error(f"{show_path(path)}: {what} in the output folder, refused; remove it or choose another folder")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _odd_kind(info: os.stat_result) -> str:
    """What makes a member unfit ('a symbolic link', ...), or '' for a regular file with one link."""
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if not stat.S_ISREG(mode):
        return "not a regular file (a pipe, socket or device)"
    if info.st_nlink > 1:
        return "a hard link to another file"
    return ""


def _check_creatable(folder: Path, error: type[InspectorError], option: str) -> None:
    """The nearest existing path above ``folder`` must be a writable folder."""
    above = Path(os.path.abspath(folder)).parent
    while True:
        info = stat_path(above, error)
        if info is not None:
            break
        if above.parent == above:
            raise error(f"{option} {show_path(folder)}: cannot be created")
        above = above.parent
    if not stat.S_ISDIR(info.st_mode):
        raise error(f"{option} {show_path(folder)}: cannot be created, {show_path(above)} is a file")
    if not os.access(above, os.W_OK | os.X_OK):
        raise error(f"{option} {show_path(folder)}: cannot be created, {show_path(above)} is not writable")
