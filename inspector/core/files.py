"""Atomic file writes: a temporary file beside the target, then ``os.replace``.

A failure leaves nothing half-written and raises :class:`ExportError`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable

from inspector.core.errors import ExportError

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
        raise ExportError(f"cannot write to {path.parent}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except (OSError, ValueError, KeyError) as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {getattr(exc, 'strerror', None) or exc}") from None
