"""Argument types of the command line: every number a flag takes is checked when it is parsed.

``type=count()``, ``type=seed()`` and ``type=real(...)`` turn the text of a flag
into a number in its range, or refuse it before any work with argparse's one
line, which names the flag: ``inspector: error: --steps must be at most 100000,
not '1000000000' (see inspector scan --help)`` (the parser words it so, see
:class:`~inspector.cli.OneLineParser`). Counts are whole numbers
(``300``, ``1_000`` and ``1e3`` all work) at most
:data:`~inspector.core.util.bounds.MAX_COUNT` unless a tighter bound is given;
real numbers are finite (``nan`` and ``inf`` are refused) and may be fractions
(``8/255``); seeds are whole numbers from 0 to what the generators they reach
accept (:mod:`inspector.core.util.bounds`).

Qt- and torch-free, so that ``inspector --help`` stays fast.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from inspector.core.util.bounds import MAX_COUNT, MAX_TRAIN_SEED, describe_range
from inspector.core.util.errors import ParameterError
from inspector.core.util.params import parse_number

#: Longer text is not parsed as a number (Python refuses to convert ints of more than 4,300 digits).
MAX_NUMBER_TEXT = 64


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def _whole(text: str) -> int:
    """``text`` as a whole number: ``12``, ``1_000``, ``1e3``. Raises ArgumentTypeError otherwise."""
    text = text.strip()
    if len(text) > MAX_NUMBER_TEXT:
        raise argparse.ArgumentTypeError(f"must be a whole number of reasonable size, not {_shown(text)}")
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not value.is_integer():
        raise argparse.ArgumentTypeError(f"must be a whole number, not {_shown(text)}")
    return int(value)


def count(minimum: int = 1, maximum: int = MAX_COUNT) -> Callable[[str], int]:
    """An argparse type: a whole number in ``minimum..maximum`` (default 1 to MAX_COUNT)."""

    def parse(text: str) -> int:
        value = _whole(text)
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, not {_shown(text)}")
        if value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum}, not {_shown(text)}")
        return value

    parse.__name__ = "count"
    return parse


def seed(maximum: int = MAX_TRAIN_SEED) -> Callable[[str], int]:
    """An argparse type: a random seed, a whole number from 0 to ``maximum``."""
    parse = count(0, maximum)
    parse.__name__ = "seed"
    return parse


def real(
    minimum: float | None = None, maximum: float | None = None, above: float | None = None
) -> Callable[[str], float]:
    """An argparse type: a finite number (``0.1``, ``1e-3``, ``8/255``) of at least ``minimum``,
    strictly above ``above``, at most ``maximum`` (each optional)."""

    def parse(text: str) -> float:
        if len(text) > MAX_NUMBER_TEXT:
            raise argparse.ArgumentTypeError(f"must be a number of reasonable size, not {_shown(text)}")
        try:
            value = parse_number(text)
        except ParameterError:
            raise argparse.ArgumentTypeError(f"must be a finite number (e.g. 0.1, 8/255), not {_shown(text)}") from None
        if (
            (minimum is not None and value < minimum)
            or (above is not None and value <= above)
            or (maximum is not None and value > maximum)
        ):
            raise argparse.ArgumentTypeError(f"must be {describe_range(minimum, maximum, above)}, not {_shown(text)}")
        return value

    parse.__name__ = "real"
    return parse
