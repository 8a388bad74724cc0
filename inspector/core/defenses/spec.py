"""Parse ``name:key=value,key=value`` specs (``jpeg:quality=75``, ``blur:sigma=1``), and build
defences and detectors from them.

The same text form names defences (``--defense``) and detectors (``--detect``).
"""

from __future__ import annotations

from inspector.core.defenses.base import Defense, make_defense
from inspector.core.defenses.detection import Detector, make_detector
from inspector.core.util.errors import ParameterError


def parse_spec(text: str, kind: str = "defence") -> tuple[str, dict[str, str]]:
    """Split ``"name:key=value,key=value"`` into ``(name, {key: value})``.

    A bare ``"name"`` gives no values (the defaults). Values stay text; the
    registry checks them.

    ``kind`` (``"defence"``, ``"detector"``) names what is parsed in error messages.

    Raises:
        ParameterError: an empty name, a pair without ``=``, an empty key or value, or a repeated key.
    """
    name, colon, rest = str(text).strip().partition(":")
    name = name.strip().lower()
    if not name:
        raise ParameterError(f"{kind} spec {text!r}: no name before ':' (expected e.g. jpeg:quality=75)")
    if colon and not rest.strip():
        raise ParameterError(
            f"{kind} spec {text!r}: nothing after ':' (expected e.g. {name}:key=value, or just {name})"
        )
    values: dict[str, str] = {}
    for pair in rest.split(",") if colon else []:
        key, sep, value = pair.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not key:
            raise ParameterError(f"{kind} spec {text!r}: {pair.strip()!r} is not of the form key=value")
        if not value:
            raise ParameterError(f"{kind} spec {text!r}: parameter {key!r} has no value")
        if key in values:
            raise ParameterError(f"{kind} spec {text!r}: parameter {key!r} is given twice")
        values[key] = value
    return name, values


def defense_from_spec(text: str) -> Defense:
    """Build a defence from ``"name:key=value,..."`` (e.g. ``"jpeg:quality=75"``). Raises ParameterError."""
    name, values = parse_spec(text)
    return make_defense(name, values)


def detector_from_spec(text: str) -> Detector:
    """Build a detector from ``"name:key=value,..."`` (e.g. ``"squeeze:bits=5"``). Raises ParameterError."""
    name, values = parse_spec(text, "detector")
    return make_detector(name, values)
