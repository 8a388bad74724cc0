"""The progress line of a long command: on stderr, rewritten in place, and only on a terminal.

A person watching a terminal sees what a command is doing; a script that reads
stderr sees only what it needs: on bad input exactly one ``inspector: error:``
line, after a success the notes and warnings. So progress and status lines are
written when stderr is a terminal and dropped otherwise, with no flag to
remember (``2>log`` keeps the log clean, as ``git`` and ``curl`` do).
"""

from __future__ import annotations

import sys
from typing import TextIO


class ProgressLine:
    """One status line on ``stream`` (default stderr), shown only where it is a terminal.

    :meth:`show` rewrites the line in place, :meth:`note` prints a whole line above it,
    :meth:`end` finishes the line (once something was shown); ``with ProgressLine() as line:``
    ends it however the block ends.
    """

    def __init__(self, stream: TextIO | None = None, width: int = 100):
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.enabled = _is_terminal(self.stream)
        self.shown = False

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *exc_info) -> None:
        self.end()

    def show(self, text: str) -> None:
        """Replace the line with ``text`` (cut or padded to the width)."""
        if self.enabled:
            print(f"\r{text[: self.width]:{self.width}s}", end="", file=self.stream, flush=True)
            self.shown = True

    def note(self, text: str) -> None:
        """A status line of its own (the progress line, if any, is finished first)."""
        if self.enabled:
            self.end()
            print(text, file=self.stream, flush=True)

    def end(self) -> None:
        """Finish the line: a newline, if anything was shown since the last end."""
        if self.shown:
            print(file=self.stream, flush=True)
            self.shown = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False


def eta(done: float, elapsed_s: float) -> str:
    """The time left, as ``ETA 1m05s``, from the share ``done`` in (0, 1] of the work done in
    ``elapsed_s`` seconds at a steady rate; ``ETA -`` before anything is done."""
    if done <= 0:
        return "ETA -"
    left = round(elapsed_s * (1 - done) / done)
    return f"ETA {left // 3600}h{left // 60 % 60:02d}m" if left >= 3600 else f"ETA {left // 60}m{left % 60:02d}s"
