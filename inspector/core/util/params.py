"""Typed, documented parameters for attacks and defences.

Attacks and defences are dataclasses; each field declared with :func:`param`
carries its help text, range, unit and choices, so the CLI and the GUI build
their forms from the class alone. Values given as text (``"4/255"``,
``"true"``, ``"linf"``) are parsed and checked by :func:`coerce`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from inspector.core.util.errors import ParameterError

#: The largest random seed (seeds are signed 64-bit integers).
MAX_SEED = 2**63 - 1

#: The most digits of a whole number given as text (a seed has at most 19).
MAX_WHOLE_DIGITS = 40
_WHOLE = re.compile(rf"[+-]?\d{{1,{MAX_WHOLE_DIGITS}}}")

#: Units a parameter may be shown in. ``"pixel"`` values are in [0, 1] units
#: and shown as grey levels (x 255) in the GUI.
UNITS = ("", "pixel", "grey levels")


@dataclass(frozen=True)
class ParamSpec:
    """What the CLI and GUI need to know about one parameter."""

    name: str
    type: type
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    unit: str = ""
    #: An exclusive lower bound (a rate in (0, 1]: ``above=0``), beside or instead of ``minimum``.
    above: float | None = None
    #: What the value 0 is shown as where it means "chosen for you" (``"auto"``); empty where 0 is a number.
    zero: str = ""


def param(
    default: Any,
    help: str,
    *,
    minimum=None,
    maximum=None,
    choices=None,
    unit: str = "",
    above=None,
    zero: str = "",
):
    """A dataclass field with the metadata a :class:`ParamSpec` is made of.

    A ``default`` of None makes the parameter optional: None then means "the component decides"
    (the help says how, e.g. a budget by norm), and is the one value outside the range accepted.
    """
    meta = {
        "help": help,
        "minimum": minimum,
        "maximum": maximum,
        "choices": choices,
        "unit": unit,
        "above": above,
        "zero": zero,
    }
    return field(default=default, metadata=meta)


def param_specs(cls) -> list[ParamSpec]:
    """The parameters of a dataclass built with :func:`param`, in declaration order."""
    hints = {f.name: f.type for f in dataclasses.fields(cls)}
    specs = []
    for f in dataclasses.fields(cls):
        if "help" not in f.metadata:
            continue
        hint = str(hints[f.name]).removesuffix(" | None")  # an optional parameter has its value's type
        typ = {"int": int, "float": float, "bool": bool, "str": str}.get(hint, type(f.default))
        m = f.metadata
        choices = tuple(m["choices"]) if m["choices"] else None
        specs.append(
            ParamSpec(
                f.name, typ, f.default, m["help"], m["minimum"], m["maximum"], choices, m["unit"], m["above"], m["zero"]
            )
        )
    return specs


def parse_number(text: str | float | int) -> float:
    """Parse ``"0.5"``, ``"4/255"`` or ``"1e-3"`` to a float.

    Raises:
        ParameterError: the text is not a number or a fraction.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        return float(text)
    try:
        numerator, _, denominator = str(text).strip().partition("/")
        value = float(numerator) / float(denominator) if denominator else float(numerator)
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError
        return value
    except (ValueError, ZeroDivisionError):
        raise ParameterError(f"{text!r} is not a number (examples: 0.03, 8/255)") from None


def coerce(spec: ParamSpec, value: Any, owner: str) -> Any:
    """Convert ``value`` (text or a Python value) to ``spec``'s type and check its range.

    None (or the text ``none``) stays None for an optional parameter (one whose default is None).

    Raises:
        ParameterError: wrong type, out of range, or not one of the choices; its ``param`` is
            ``spec.name``.
    """
    if spec.default is None and (value is None or str(value).strip().lower() == "none"):
        return None
    try:
        return _coerce(spec, value)
    except ParameterError as exc:
        raise ParameterError(f"{owner} parameter {spec.name!r}: {exc}", param=spec.name, detail=str(exc)) from None


def _coerce(spec: ParamSpec, value: Any) -> Any:
    """:func:`coerce` without the owner and name in its messages."""
    out: bool | float | str
    if spec.type is bool:
        if isinstance(value, bool):
            out = value
        elif str(value).strip().lower() in ("1", "true", "yes", "on"):
            out = True
        elif str(value).strip().lower() in ("0", "false", "no", "off"):
            out = False
        else:
            raise ParameterError(f"{value!r} is not true or false")
    elif spec.type in (int, float):
        number: float | None = _whole(value) if spec.type is int else None
        if number is None:
            number = parse_number(value)
        if spec.type is int:
            if number != int(number):
                raise ParameterError(f"{value!r} is not a whole number")
            number = int(number)
        if spec.above is not None and number <= spec.above:
            raise ParameterError(f"{value} must be above {_show(spec.above)}")
        if spec.minimum is not None and number < spec.minimum:
            raise ParameterError(f"{value} is below the minimum {_show(spec.minimum)}")
        if spec.maximum is not None and number > spec.maximum:
            raise ParameterError(f"{value} is above the maximum {_show(spec.maximum)}")
        out = number
    else:
        out = str(value).strip()
        if spec.choices and out.lower() not in spec.choices:
            raise ParameterError(f"{value!r} is not one of {', '.join(spec.choices)}")
        out = out.lower() if spec.choices else out
    return out


def _whole(value: Any) -> int | None:
    """An integer written as one (``"12"``, ``12``), exactly, up to :data:`MAX_WHOLE_DIGITS` digits;
    None for anything else (``"--5"``, a 5,000-digit text: Python refuses to convert over 4,300 digits)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    return int(text) if _WHOLE.fullmatch(text) else None


def _show(bound: float) -> str:
    """A range bound as a user typed it: whole numbers in full, others short."""
    return str(int(bound)) if float(bound).is_integer() else f"{bound:g}"


def build(cls, values: dict[str, Any], owner: str):
    """Instantiate ``cls`` from ``values`` (text or typed), checking every one.

    Raises:
        ParameterError: an unknown name or a bad value; the message lists the valid names.
    """
    specs = {s.name: s for s in param_specs(cls)}
    kwargs = {}
    for key, value in values.items():
        name = key.replace("-", "_")
        if name not in specs:
            known = ", ".join(specs) or "none"
            raise ParameterError(
                f"{owner} has no parameter {key!r} (its parameters: {known})",
                param=name,
                detail=f"not a parameter of {owner} (its parameters: {known})",
            )
        kwargs[name] = coerce(specs[name], value, owner)
    return cls(**kwargs)


class Configurable:
    """A registered component whose parameters are :func:`param` dataclass fields (defences,
    detectors, output modes): it lists them and writes the canonical ``name:key=value,...``
    text that rebuilds it through its :class:`Registry`."""

    name: ClassVar[str] = ""

    @classmethod
    def params(cls) -> list[ParamSpec]:
        return param_specs(cls)

    def spec(self) -> str:
        """The canonical ``name:key=value,...`` text that rebuilds this component."""
        values = ",".join(f"{s.name}={getattr(self, s.name)}" for s in self.params())
        return f"{self.name}:{values}" if values else self.name


class Registry(dict):
    """Entries by their ``name`` attribute; classes among them are built from parameter values with :meth:`make`.

    One registry each holds the attacks, the defences, the detectors (classes) and
    the built-in models (:class:`~inspector.core.models.classifier.ModelInfo` entries).
    """

    def __init__(self, kind: str):
        super().__init__()
        self.kind = kind

    def register(self, cls):
        """Add ``cls`` (a class, or any entry with a ``name``) under its name; usable as a decorator."""
        self[cls.name] = cls
        return cls

    def make(self, name: str, params: dict | None = None):
        """Build the class registered as ``name`` from parameter values (text or typed).

        Raises:
            ParameterError: unknown name or bad parameter.
        """
        key = name.strip().lower()
        if key not in self:
            raise ParameterError(f"unknown {self.kind} {name!r}: choose one of {', '.join(self)}")
        return build(self[key], params or {}, f"{self.kind} {key!r}")
