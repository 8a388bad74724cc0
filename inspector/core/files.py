"""Files on disk: atomic writes (a temporary file beside the target, then ``os.replace``),
and looking at a path with errors a user can act on.

A failed write leaves nothing half-written and raises :class:`ExportError`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from inspector.core.errors import ExportError, InspectorError
from inspector.core.messages import show_path

_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_atomically(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> None:
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

