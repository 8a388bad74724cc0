"""The fields of a recipe or configuration read from a file: each checked for its type and range.

A recipe (an attack's ``result.json``) or an evaluation's configuration (its ``manifest.json``,
the recipe embedded in its report) may come from an attacker. Before anything uses one,
every field it holds is checked against a :class:`Field`: a ``"threads": "8"``, a
``"params": []`` or a ``"top_k": -1`` ends in one line naming the field, not in a crash
later. Counts stay at or below :data:`~inspector.core.util.bounds.MAX_COUNT`, lists and texts
are short. What a value means (an attack's name, a defence spec) is checked later, by the
code that uses it, with its own one-line errors::

    FIELDS = {"top_k": whole(1, MAX_COUNT), "defenses": texts()}
    values = check_fields(data, FIELDS, "run/result.json: the recipe", RecipeError)
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from inspector.core.util.errors import InspectorError
from inspector.core.util.messages import escape_controls

#: The most entries of a list field (defences, detectors, attacks, budgets) or of the attack parameters.
MAX_ITEMS = 64
#: The longest text field (a path, a spec, a name), in characters.
MAX_TEXT = 4096
#: The longest attack parameter name or value given as text, in characters.
MAX_PARAM_TEXT = 256

_DEVICE = re.compile(r"auto|cpu|mps|cuda(:\d{1,3})?")
_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = 40
_SHORT.maxlist = _SHORT.maxdict = 4
_SHORT.maxlevel = 2


@dataclass(frozen=True)
class Field:
    """What one field may hold: ``description`` (said in the message) and ``accepts(value)``."""

    description: str
    accepts: Callable[[Any], bool]


def check_fields(
    data: Any, fields: dict[str, Field], where: str, error: type[InspectorError], required: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The entries of the JSON object ``data`` that ``fields`` names, each checked; other keys are left out.

    Args:
        where: names the object in messages, e.g. ``"run/result.json: the recipe"``.
        required: keys that must be present.

    Raises:
        error: ``data`` is not an object, a required key is missing, or a value is not what its
            :class:`Field` accepts; the message names the key, says what it must be and shows
            (briefly) what it is.
    """
    if not isinstance(data, dict):
        raise error(f"{where} must be a JSON object, not {_kind(data)}")
    for name in required:
        if name not in data:
            raise error(f"{where} lacks its {name!r} field ({fields[name].description})")
    values = {}
    for name, field in fields.items():
        if name not in data:
            continue
        value = data[name]
        if not field.accepts(value):
            found = "null" if value is None else f"{_kind(value)} {shown(value)}"
            raise error(f"{where}: {name!r} must be {field.description}, not {found}")
        values[name] = value
    return values


def shown(value: Any) -> str:
    """A short, one-line rendering of a value read from a file (long texts and lists cut)."""
    return escape_controls(_SHORT.repr(value))


# ---- what a field may hold ----------------------------------------------------------------------


def is_whole(value: Any) -> bool:
    """An integer (JSON's ``3``, not ``3.0``, not ``true``)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_text(value: Any, max_length: int = MAX_TEXT) -> bool:
    """A string of at most ``max_length`` characters, without a NUL."""
    return isinstance(value, str) and len(value) <= max_length and "\0" not in value


def text(max_length: int = MAX_TEXT, *, what: str = "text") -> Field:
    """A string of at most ``max_length`` characters."""
    return Field(f"{what} (at most {max_length:,} characters)", lambda v: is_text(v, max_length))


def boolean() -> Field:
    """``true`` or ``false`` (not ``"true"``, not ``1``)."""
    return Field("true or false", lambda v: isinstance(v, bool))


def whole(low: int, high: int) -> Field:
    """An integer from ``low`` to ``high``."""
    return Field(f"a whole number from {low:,} to {high:,}", lambda v: is_whole(v) and low <= v <= high)


def texts(max_items: int = MAX_ITEMS, max_length: int = MAX_TEXT) -> Field:
    """A list of at most ``max_items`` strings."""
    return Field(
        f"a list of at most {max_items} texts",
        lambda v: isinstance(v, list) and len(v) <= max_items and all(is_text(t, max_length) for t in v),
    )


def optional(field: Field) -> Field:
    """``null`` or what ``field`` accepts."""
    return Field(f"null or {field.description}", lambda v: v is None or field.accepts(v))


def real() -> Field:
    """A finite number (``0.5``, ``3``; not ``true``, not NaN)."""
    return Field(
        "a finite number", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    )


def either(first: Field, second: Field) -> Field:
    """What ``first`` or ``second`` accepts."""
    return Field(f"{first.description} or {second.description}", lambda v: first.accepts(v) or second.accepts(v))


def device() -> Field:
    """A device name: auto, cpu, cuda, cuda:N or mps (whether it exists here is checked on use)."""
    return Field(
        "a device name (auto, cpu, cuda, cuda:N or mps)",
        lambda v: isinstance(v, str) and _DEVICE.fullmatch(v) is not None,
    )


def params() -> Field:
    """Attack parameters: an object of at most :data:`MAX_ITEMS` names, each a number, a short text or a boolean."""
    return Field(
        f"an object of at most {MAX_ITEMS} attack parameters, each a number, a text or true/false",
        lambda v: (
            isinstance(v, dict)
            and len(v) <= MAX_ITEMS
            and all(is_text(k, MAX_PARAM_TEXT) and _is_scalar(x) for k, x in v.items())
        ),
    )


def numbers(max_items: int = MAX_ITEMS) -> Field:
    """An object of at most ``max_items`` short names, each to a finite number (``{"sigma": 0.25, "n": 1000}``)."""
    return Field(
        f"an object of at most {max_items} names, each to a number",
        lambda v: (
            isinstance(v, dict)
            and len(v) <= max_items
            and all(is_text(k, MAX_PARAM_TEXT) and real().accepts(x) for k, x in v.items())
        ),
    )


def numbers_or_texts(max_items: int = MAX_ITEMS) -> Field:
    """A list of at most ``max_items`` numbers or short texts (budgets: ``0.03``, ``"8/255"``)."""
    return Field(
        f'a list of at most {max_items} numbers or texts such as "8/255"',
        lambda v: (
            isinstance(v, list) and len(v) <= max_items and all(not isinstance(x, bool) and _is_scalar(x) for x in v)
        ),
    )


def _is_scalar(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, (bool, int)) or is_text(value, MAX_PARAM_TEXT)


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        str: "the text",
        bool: "the boolean",
        int: "the number",
        float: "the number",
        type(None): "null",
    }.get(type(value), type(value).__name__)
