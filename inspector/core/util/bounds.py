"""Bounds on the numbers a flag or a file gives: counts, seeds and real numbers.

Every count that a loop runs for or that an allocation grows with is at most
:data:`~inspector.core.util.bounds.MAX_COUNT` (the attacks' ``steps`` bound) or a
tighter natural bound given here; every real number is finite; every seed fits
what the random generators it reaches accept. The core entry points check their
settings with these functions before any work, so the GUI and scripts are held
to the same bounds as the command line (whose flags are checked on parsing,
see :mod:`inspector.cli.arguments`).

Each check raises one :class:`~inspector.core.util.errors.ParameterError` (or the
caller's error class) whose one-line message names the parameter.
"""

from __future__ import annotations

import math
from numbers import Integral, Real

from inspector.core.util.errors import InspectorError, ParameterError

#: The largest count read from a file or a flag (iterations, steps, samples): the attacks' ``steps`` bound.
MAX_COUNT = 100_000
#: The most training epochs a command runs (an MNIST model trains in 6).
MAX_EPOCHS = 1000
#: The most images in one batch.
MAX_BATCH = 4096
#: The most EOT draws per gradient of an adaptive attack (a recipe's ``eot_samples``).
MAX_EOT_SAMPLES = 1000
#: The most values in a list flag (poison rates, query budgets, evaluation budgets): each is a whole run.
MAX_LIST = 100
#: The largest seed of anything that trains: the training loops derive per-batch seeds of about
#: seed x 10^7, which must stay within torch's 64-bit seeds.
MAX_TRAIN_SEED = 2**32 - 1
#: The largest seed of membership inference: its reference models are trained with seed x 1000 + k,
#: which the training loops multiply by 10^7 again.
MAX_MEMBERSHIP_SEED = 10**9


def show_value(value) -> str:
    """A value as a message shows it: at most 40 characters (a 5,000-digit number is not printed whole)."""
    if isinstance(value, Integral) and not isinstance(value, bool) and abs(int(value)) >= 10**40:
        return f"a number of about {int(abs(int(value)).bit_length() * math.log10(2)) + 1} digits"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_count(
    value,
    name: str,
    *,
    minimum: int = 1,
    maximum: int = MAX_COUNT,
    error: type[InspectorError] = ParameterError,
    param: str | None = None,
) -> int:
    """``value`` as an int, checked to be a whole number in ``minimum..maximum``; ``name`` names it
    in the message, ``param`` (a field name) in the :class:`ParameterError`'s ``param``.

    Raises:
        error: not a whole number (a bool, a float with a fraction, NaN, text) or out of range.
    """
    whole = _whole(value)
    if whole is None or not minimum <= whole <= maximum:
        detail = f"must be a whole number from {minimum} to {maximum}, not {show_value(value)}"
        if param is not None:
            raise ParameterError(f"{name} {detail}", param=param, detail=detail)
        raise error(f"{name} {detail}")
    return whole


def check_seed(
    value,
    name: str,
    *,
    maximum: int = MAX_TRAIN_SEED,
    error: type[InspectorError] = ParameterError,
    param: str | None = None,
) -> int:
    """``value`` as a seed in ``0..maximum``; ``name`` names it. Raises ``error`` otherwise."""
    return check_count(value, name, minimum=0, maximum=maximum, error=error, param=param)


def check_real(
    value,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    error: type[InspectorError] = ParameterError,
) -> float:
    """``value`` as a finite float, at least ``minimum`` (or strictly above ``above``) and at most ``maximum``.

    Raises:
        error: not a number, NaN, infinite or out of range; the message names ``name`` and the range.
    """
    number = float(value) if isinstance(value, Real) and not isinstance(value, bool) else math.nan
    ok = (
        math.isfinite(number)
        and (minimum is None or number >= minimum)
        and (above is None or number > above)
        and (maximum is None or number <= maximum)
    )
    if not ok:
        raise error(f"{name} must be {describe_range(minimum, maximum, above)}, not {show_value(value)}")
    return number


def describe_range(minimum: float | None, maximum: float | None, above: float | None) -> str:
    """``"a finite number in (0, 1]"``, ``"a finite number of at least 0"``, ...: a range in words."""
    low = f"({above:g}" if above is not None else f"[{minimum:g}" if minimum is not None else None
    if low is not None and maximum is not None:
        return f"a finite number in {low}, {maximum:g}]"
    if above is not None:
        return f"a finite number above {above:g}"
    if minimum is not None:
        return f"a finite number of at least {minimum:g}"
    if maximum is not None:
        return f"a finite number of at most {maximum:g}"
    return "a finite number"


def check_list_length(
    values: list, name: str, *, maximum: int = MAX_LIST, error: type[InspectorError] = ParameterError
) -> list:
    """``values`` unless it holds more than ``maximum`` items. Raises ``error`` naming ``name``."""
    if len(values) > maximum:
        raise error(f"{name} holds {len(values)} values: give at most {maximum}")
    return values


def _whole(value) -> int | None:
    """An integer given as one, or as a float without fraction; None for anything else (bools included)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Integral):
        return int(value)
    if isinstance(value, Real) and math.isfinite(float(value)) and float(value).is_integer():
        return int(math.trunc(value))
    return None
