"""A poisoning run's saved ``result.json`` read back: its trainings' configurations, checked.

``inspector poison --out DIR`` writes ``DIR/result.json``, ``{"runs": [...]}``: one entry per poison
rate, each with its ``config`` (:meth:`~inspector.core.poisoning.train.BackdoorConfig.to_dict`: the
attack's name and parameters, ``epochs``, ``seed``). A sweep's runs differ in their rate only.

Like the other saved runs (:mod:`inspector.core.replay.source`) the file is untrusted: every field
is checked for its type and range (the attack's own fields from its
:func:`~inspector.core.util.params.param` specs), then by the configuration's own ``check()``. The
runs' figures and the ``weights`` path they name are not read: only the settings are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.core.io.file_fields import MAX_PARAM_TEXT, Field, boolean, check_fields, optional, real, text, whole
from inspector.core.poisoning.attacks import POISONING_ATTACKS
from inspector.core.poisoning.train import BackdoorConfig
from inspector.core.util.bounds import MAX_COUNT, MAX_EPOCHS, MAX_LIST, MAX_TRAIN_SEED
from inspector.core.util.errors import InspectorError, RecipeError
from inspector.core.util.messages import show_path
from inspector.core.util.params import ParamSpec

_RESULT = {"runs": Field(f"a list of 1 to {MAX_LIST} runs", lambda v: isinstance(v, list) and 1 <= len(v) <= MAX_LIST)}
_CONFIG = {
    "attack": text(MAX_PARAM_TEXT),
    "epochs": whole(1, MAX_EPOCHS),
    "seed": whole(0, MAX_TRAIN_SEED),
}


@dataclass
class PoisoningSource:
    """A poisoning run read back.

    Attributes:
        path: the file read.
        configs: one checked configuration per training (per poison rate), in the file's order; they
            differ in their ``attack.rate`` only.
    """

    path: Path
    configs: list[BackdoorConfig]


def is_poisoning(data: Any) -> bool:
    """Whether ``data`` (parsed JSON) has the shape of ``inspector poison``'s result: ``runs`` of objects
    each with a ``config`` naming an ``attack``."""
    runs = data.get("runs") if isinstance(data, dict) else None
    return (
        isinstance(runs, list)
        and bool(runs)
        and all(isinstance(r, dict) and isinstance(r.get("config"), dict) and "attack" in r["config"] for r in runs)
    )


def read_poisoning(path: Path, data: Any) -> PoisoningSource:
    """The trainings ``data`` (parsed from ``path``) records, each configuration checked.

    Raises:
        RecipeError: not a poisoning result, more than :data:`~inspector.core.util.bounds.MAX_LIST`
            runs, a field of the wrong type or out of range, an unknown attack or parameter, or runs
            that differ in more than their rate (the message names the file, the run and the field).
    """
    if not is_poisoning(data):
        raise RecipeError(f"{show_path(path)}: not a poisoning run's result")
    runs = check_fields(data, _RESULT, show_path(path), RecipeError)["runs"]
    configs = [_config(run["config"], f"{show_path(path)}: run {i + 1}'s configuration") for i, run in enumerate(runs)]
    first = _without_rate(configs[0])
    for i, config in enumerate(configs[1:], start=2):
        if _without_rate(config) != first:
            raise RecipeError(f"{show_path(path)}: run {i} differs from run 1 in more than its poison rate")
    return PoisoningSource(path, configs)


def _config(config: dict, where: str) -> BackdoorConfig:
    values = check_fields(config, _CONFIG, where, RecipeError, required=("attack",))
    name = values["attack"].strip().lower()
    if name not in POISONING_ATTACKS:
        raise RecipeError(
            f"{where}: unknown poisoning attack {values['attack']!r}: one of {', '.join(POISONING_ATTACKS)}"
        )
    specs = POISONING_ATTACKS[name].params()
    params = check_fields(config, {spec.name: _field(spec) for spec in specs}, f"{where}: {name}", RecipeError)
    try:
        training = {key: values[key] for key in ("epochs", "seed") if key in values}
        made = BackdoorConfig(POISONING_ATTACKS.make(name, params), **training)
        made.check()
    except InspectorError as exc:  # what the attack's parameters and check() refuse
        raise RecipeError(f"{where}: {exc}") from None
    return made


def _field(spec: ParamSpec) -> Field:
    """What a saved value of the parameter ``spec`` may be: of its type, a whole number within its range."""
    if spec.type is bool:
        field = boolean()
    elif spec.type is int:
        low = -MAX_COUNT if spec.minimum is None else int(spec.minimum)
        field = whole(low, MAX_COUNT if spec.maximum is None else int(spec.maximum))
    elif spec.type is float:
        field = real()
    else:
        field = text(MAX_PARAM_TEXT)
    return optional(field) if spec.default is None else field


def _without_rate(config: BackdoorConfig) -> dict[str, Any]:
    return {key: value for key, value in config.to_dict().items() if key != "rate"}
