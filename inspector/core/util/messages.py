"""Pieces of one-line messages: file names shown safely, and foreign error text cut to one line.

Every error message must stay on one line (the CLI prints it as
``inspector: error: ...``, the GUI in a dialog title or status line), but file
names may hold newlines or other control characters, and errors from torch
or Pillow may span many lines.
"""

from __future__ import annotations

import os

#: The longest piece of foreign error text kept in a message, in characters.
MAX_DETAIL = 200

_TORCHSCRIPT_PREAMBLE = "The following operation failed in the TorchScript interpreter."


def show_path(path: str | os.PathLike | bytes) -> str:
    """A file name as it goes into a message: as is when plainly printable, else quoted.

    A name with a control character (a newline, a tab, an escape), with
    unprintable characters, or with leading or trailing spaces is shown as a
    Python string literal (``'bad\\nname.png'``), so it never breaks the line
    and its odd characters can be seen. Bytes are decoded as the file system does.
    """
    text = os.fsdecode(path) if isinstance(path, bytes) else str(path)
    if text and text.isprintable() and text == text.strip():
        return text
    return repr(text)


def escape_controls(text: str) -> str:
    """``text`` with every unprintable character (newline, tab, escape, ...) written as its escape (``\\n``)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def one_line(error: BaseException | str, limit: int = MAX_DETAIL) -> str:
    """The informative line of an error's text, at most ``limit`` characters, never empty.

    For errors from the TorchScript interpreter, whose first line only says
    that something failed and whose last line says what, this is the last
    line (``RuntimeError: mat1 and mat2 shapes cannot be multiplied ...``);
    otherwise it is the first non-empty line. Control characters become spaces.
    An exception with no text gives its type's name.
    """
    text = str(error)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return type(error).__name__ if isinstance(error, BaseException) else "(no details)"
    line = lines[-1] if lines[0] == _TORCHSCRIPT_PREAMBLE else lines[0]
    line = line.removeprefix("builtins.")
    line = "".join(c if c.isprintable() else " " for c in line)
    return line if len(line) <= limit else line[: limit - 1] + "\u2026"
