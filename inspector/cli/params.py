"""Command-line flags from a registry's parameters, and their errors in the flags' words.

:func:`add_param_arguments` gives a command one ``--flag`` per parameter of a registry's entries
(``epochs`` -> ``--epochs``, ``max_grad_norm`` -> ``--max-grad-norm``); the parser checks each
against the parameter's range, and :func:`param_values` hands the ones given to the core, whose
``build`` checks them again. :func:`flag_errors` renders a core :class:`ParameterError` naming one
of those parameters as its flag. :func:`describe` lists the entries and their parameters.

Qt- and torch-free: the registries it reads declare their parameters without torch.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from inspector.cli.arguments import count, real
from inspector.core.util.errors import ParameterError
from inspector.core.util.params import ParamSpec, Registry


def flag(name: str) -> str:
    """The command-line flag of parameter ``name``: ``max_grad_norm`` -> ``--max-grad-norm``."""
    return "--" + name.replace("_", "-")


def _type(spec: ParamSpec) -> Callable[[str], Any] | None:
    """The argparse type checking ``spec``'s range; None where the core's coerce does it all."""
    if spec.type is int and not spec.choices:
        low = int(spec.minimum) if spec.minimum is not None else -(2**63)
        if spec.above is not None:
            low = max(low, math.floor(spec.above) + 1)
        high = int(spec.maximum) if spec.maximum is not None else 2**63 - 1
        return count(low, high)
    if spec.type is float:
        return real(spec.minimum, spec.maximum, spec.above)
    return None


def add_param_arguments(parser: argparse.ArgumentParser, registry: Registry, skip: tuple[str, ...] = ()) -> None:
    """One flag per parameter name among the registry's entries (the first entry declaring a name
    gives its type, range and help), but those in ``skip`` (which the command takes in its own
    way, e.g. a list of poison rates); the help lists each entry's default. Flags not given are
    absent from the parsed namespace, so that each entry keeps its own default."""
    seen: dict[str, ParamSpec] = {}
    for cls in registry.values():
        for spec in cls.params():
            if spec.name not in skip:
                seen.setdefault(spec.name, spec)
    for name, spec in seen.items():
        defaults = ", ".join(
            f"{key} {_show(s.default)}" for key, cls in registry.items() for s in cls.params() if s.name == name
        )
        parser.add_argument(
            flag(name),
            dest=name,
            type=_type(spec),
            choices=spec.choices,
            default=argparse.SUPPRESS,
            help=f"{spec.help} (default: {defaults})",
        )


def param_values(args: argparse.Namespace, registry: Registry, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """The registry's parameters given on the command line, by name, but those in ``skip``."""
    names = {spec.name for cls in registry.values() for spec in cls.params()} - set(skip)
    return {name: value for name, value in vars(args).items() if name in names}


@contextmanager
def flag_errors(registry: Registry, also: tuple[str, ...] = ()) -> Iterator[None]:
    """Within the block, a :class:`ParameterError` whose ``param`` is one of the registry's
    parameters, or one of ``also`` (the command's other flags, by field name), is raised again as
    ``--flag: detail``; others pass unchanged."""
    names = {spec.name for cls in registry.values() for spec in cls.params()} | set(also)
    try:
        yield
    except ParameterError as exc:
        if exc.param not in names:
            raise
        raise ParameterError(f"{flag(exc.param)}: {exc.detail}", param=exc.param, detail=exc.detail) from None


def describe(registry: Registry) -> str:
    """The entries (name, title, paper) and their parameters (flag, default, help), one per line, an
    empty line after each entry (so the text is also valid reStructuredText, as the docs render it)."""
    lines = [f"{registry.kind}s:", ""]
    for name, cls in registry.items():
        paper = f" - {cls.paper}" if getattr(cls, "paper", "") else ""
        lines.append(f"  {name}: {getattr(cls, 'title', '')}{paper}")
        lines += [f"      {flag(s.name)} {_show(s.default)}: {s.help}" for s in cls.params()]
        lines.append("")
    return "\n".join(lines).rstrip()


def _show(value: Any) -> str:
    """A default as the help shows it; None (an optional parameter's) as ``none``, its help says what that means."""
    if value is None:
        return "none"
    return f"{value:g}" if isinstance(value, float) else str(value)
