"""Reading files that may come from an attacker: bounded, regular, inside their folder.

A model, a sidecar, a recipe or a results folder may have been made to hurt
whoever opens it. Everything read from such a file goes through here:

- :func:`read_bytes` opens without blocking (a FIFO or a device never hangs
  the reader), accepts only a regular file, and reads at most ``max_bytes``
  (a 1 GB class-names file or ``/dev/zero`` is refused, not read);
- :func:`parse_json` bounds nesting (a million ``[`` is one line of error,
  not a ``RecursionError``) and refuses NaN and Infinity;
- :func:`inside` resolves a path a file names relative to its own folder and
  refuses one that leaves it (an absolute path, ``..``, a symbolic link out).

Every error is the caller's :class:`~inspector.core.util.errors.InspectorError`
subclass, with a one-line message naming the file.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from inspector.core.util.errors import InspectorError
from inspector.core.util.messages import one_line, show_path

#: The largest JSON file read (a sidecar, a recipe, a manifest, a result.json), in bytes.
MAX_JSON_BYTES = 16 * 2**20
#: The deepest nesting of arrays and objects accepted in a JSON file.
MAX_JSON_DEPTH = 64


def read_bytes(path: str | os.PathLike, error: type[InspectorError], kind: str, max_bytes: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``max_bytes`` of them; ``kind`` names it in messages.

    A FIFO, socket, device or folder is refused without reading from it (it is opened
    non-blocking, then looked at with ``fstat``). Symbolic links are followed: where
    the file may be is the caller's check (:func:`inside`).

    Raises:
        error: nothing is there, it is not a regular file, it cannot be read, or it
            holds more than ``max_bytes`` bytes.
    """
    shown = show_path(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise error(f"{shown}: no such {kind} file") from None
    except IsADirectoryError:
        raise error(f"{shown}: is a folder, not {_article(kind)} {kind} file") from None
    except OSError as exc:
        raise error(f"{shown}: cannot read the {kind} file ({exc.strerror or one_line(exc)})") from None
    except ValueError:
        raise error(f"{shown}: not a valid file name (it holds a NUL character)") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise error(f"{shown}: is a folder, not {_article(kind)} {kind} file")
        if not stat.S_ISREG(info.st_mode):
            raise error(f"{shown}: not a regular file (a pipe, socket or device), refused as the {kind} file")
        if info.st_size > max_bytes:
            raise error(f"{shown}: {_size(info.st_size)}, over the {_size(max_bytes)} a {kind} file may have")
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = _read_up_to(fh, max_bytes + 1, info.st_size)
    except OSError as exc:
        raise error(f"{shown}: cannot read the {kind} file ({exc.strerror or one_line(exc)})") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # it grew while being read
        raise error(f"{shown}: over the {_size(max_bytes)} a {kind} file may have")
    return data


def _read_up_to(fh, limit: int, expected: int) -> bytes:
    """At most ``limit`` bytes of ``fh``, asking for ``expected`` (its size) plus one at first, then 1 MB
    at a time: ``read(limit)`` would reserve all of ``limit`` up front, gigabytes for a small file."""
    chunks, size = [], 0
    while size < limit:
        chunk = fh.read(min(limit - size, max(expected + 1 - size, 2**20)))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_text(path: str | os.PathLike, error: type[InspectorError], kind: str, max_bytes: int) -> str:
    """:func:`read_bytes` decoded as UTF-8 (a byte-order mark is dropped).

    Raises:
        error: as :func:`read_bytes`, or the bytes are not UTF-8 text.
    """
    data = read_bytes(path, error, kind, max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"{show_path(path)}: the {kind} file is not UTF-8 text (byte {exc.start})") from None


def parse_json(text: str | bytes, where: str, error: type[InspectorError], *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """The JSON value in ``text``; ``where`` names it in messages.

    Raises:
        error: not JSON, NaN or Infinity in it, or arrays and objects nested deeper than ``max_depth``.
    """
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise error(f"{where}: JSON nested too deeply (at most {max_depth} levels)") from None
    except (ValueError, UnicodeDecodeError) as exc:  # json.JSONDecodeError is a ValueError
        raise error(f"{where} is not valid JSON ({one_line(exc)})") from None
    if _depth(data) > max_depth:
        raise error(f"{where}: JSON nested too deeply (at most {max_depth} levels)")
    return data


def read_json(path: str | os.PathLike, error: type[InspectorError], kind: str, max_bytes: int = MAX_JSON_BYTES) -> Any:
    """The JSON value in the regular file ``path`` (see :func:`read_bytes` and :func:`parse_json`).

    Raises:
        error: as :func:`read_text` and :func:`parse_json`.
    """
    return parse_json(read_text(path, error, kind, max_bytes), show_path(path), error)


def inside(folder: str | os.PathLike, relative: str, error: type[InspectorError], where: str) -> Path:
    """The path ``relative`` names inside ``folder``, with symbolic links resolved; it must stay inside.

    Raises:
        error: ``relative`` is absolute, or it (or a link on its way) leads out of ``folder``.
    """
    if os.path.isabs(relative) or "\0" in relative:
        raise error(
            f"{where}: {show_path(relative)} must be a path relative to {show_path(folder)}, inside that folder"
        )
    base = Path(os.path.realpath(folder))
    target = Path(os.path.realpath(base / relative))
    if target != base and base not in target.parents:
        raise error(
            f"{where}: {show_path(relative)} leads outside {show_path(folder)}; it must name a file inside that folder"
        )
    return target


def _depth(value: Any) -> int:
    """The nesting depth of arrays and objects in a parsed JSON value (a scalar: 0), without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_JSON_DEPTH * 4:
            return deepest
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def _article(kind: str) -> str:
    return "an" if kind[:1] in "aeiou" else "a"


def _size(n: int) -> str:
    for unit, scale in (("GB", 2**30), ("MB", 2**20), ("KB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"
