"""What the commands share: exit statuses, stopping a long run on Ctrl-C, JSON output and numbers in tables.

A long command (``evaluate``, ``steal``, ``membership``) runs inside :func:`stop_on_interrupt`:
the first Ctrl-C asks the run to stop after the step in progress (its ``should_stop`` says so),
what is done stays on disk, and the command ends with :func:`stopped`, one line saying how to
continue, and exit status :data:`EXIT_STOPPED`; a second Ctrl-C ends at once.
"""

from __future__ import annotations

import json
import math
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from inspector.core.util.errors import EXIT_ERROR, EXIT_STOPPED

#: Success.
EXIT_OK = 0
#: A replay that gives other bytes than the run it replays; also an unexpected error (a bug).
EXIT_DIFFERS = EXIT_UNEXPECTED = 1

__all__ = [
    "EXIT_DIFFERS",
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_STOPPED",
    "EXIT_UNEXPECTED",
    "finite",
    "percent",
    "print_json",
    "rate_ci",
    "stop_on_interrupt",
    "stopped",
]


@contextmanager
def stop_on_interrupt() -> Iterator[Callable[[], bool]]:
    """While the block runs, the first Ctrl-C asks the run to stop: the ``should_stop`` this yields
    returns True from then on; a second Ctrl-C ends at once (KeyboardInterrupt). The previous
    handler is restored after the block."""
    asked = False

    def on_interrupt(signum, frame) -> None:
        nonlocal asked
        asked = True
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C ends at once

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield lambda: asked
    finally:
        signal.signal(signal.SIGINT, previous)


def stopped(message: str) -> int:
    """A run ended early on Ctrl-C: ``inspector: MESSAGE`` on stderr (what was kept and how to
    continue, e.g. "run the same command with --resume"); returns :data:`EXIT_STOPPED`."""
    print(f"inspector: {message}", file=sys.stderr)
    return EXIT_STOPPED


def print_json(value: Any) -> None:
    """``value`` as indented JSON on stdout (the ``--json`` output of every command)."""
    print(json.dumps(value, indent=2))


def finite(value: Any) -> Any:
    """NaN and infinity as None, for strict JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


def percent(x: float) -> str:
    """A fraction as a table cell six characters wide: `` 12.5%``; ``   -  `` for NaN."""
    return "   -  " if math.isnan(x) else f"{100 * x:5.1f}%"


def rate_ci(r: dict | None) -> str:
    """A rate with its 95 % interval (``{"rate", "low", "high"}``): ``12.5% [10.1%, 15.0%]``; ``-`` for None."""
    return "-" if r is None else f"{r['rate']:6.1%} [{r['low']:.1%}, {r['high']:.1%}]"
