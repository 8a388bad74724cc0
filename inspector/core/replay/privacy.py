"""A privacy run's saved JSON read back: which task it was, and its configuration, checked.

Recognised, by their shape (the files carry no kind field):

- model stealing: ``steal.json`` (``inspector steal --out``) and the app's ``privacy-stealing.json``,
  whose ``config`` has a ``victim`` and ``budgets``;
- model inversion: ``inversion.json`` and ``privacy-inversion.json``, whose ``config.attack`` is
  MI-Face's settings (an object);
- membership inference: ``membership.json`` and ``privacy-membership.json``, with an ``auc`` beside
  their ``config``.

Like the other saved runs (:mod:`inspector.core.replay.source`) these are untrusted: every field
is checked for its type and range, and then by the configuration's own ``check()``. Where a
membership run keeps its data and reference models (``data``, ``cache``) is not taken from the
file: a file never decides where the app reads or writes.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.core.io.file_fields import Field, check_fields, optional, text, texts, whole
from inspector.core.privacy.inversion import MIFace
from inspector.core.privacy.inversion_run import InversionConfig
from inspector.core.privacy.membership import MembershipConfig
from inspector.core.privacy.stealing import StealConfig
from inspector.core.util.bounds import MAX_COUNT, MAX_EPOCHS, MAX_LIST, MAX_MEMBERSHIP_SEED, MAX_TRAIN_SEED
from inspector.core.util.errors import InspectorError, RecipeError
from inspector.core.util.messages import show_path

#: The membership fields a file may not decide: where the run reads its data and keeps its models.
NOT_FROM_FILE = ("data", "cache")


def _real() -> Field:
    return Field(
        "a finite number", lambda v: isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
    )


_STEALING = {
    "victim": text(),
    "method": text(256),
    "budgets": Field(
        f"a list of at most {MAX_LIST} whole numbers from 1 to {MAX_COUNT:,}",
        lambda v: isinstance(v, list) and len(v) <= MAX_LIST and all(whole(1, MAX_COUNT).accepts(b) for b in v),
    ),
    "output": text(256),
    "pool": text(256),
    "epochs": optional(whole(1, MAX_EPOCHS)),
    "transfer_eps": _real(),
    "transfer_images": whole(1, MAX_COUNT),
    "seed": whole(0, MAX_TRAIN_SEED),
}
_MI_FACE = {
    "step_size": _real(),
    "max_iterations": whole(1, MAX_COUNT),
    "patience": whole(1, MAX_COUNT),
    "cost_threshold": _real(),
    "start": _real(),
}
_INVERSION = {"model": text(), "judges": optional(texts())}
_MEMBERSHIP = {
    "model": text(),
    "attack": text(256),
    "members": whole(1, MAX_COUNT),
    "references": whole(1, MAX_COUNT),
    "queries": whole(1, MAX_COUNT),
    "seed": whole(0, MAX_MEMBERSHIP_SEED),
    "data": optional(text()),
    "cache": optional(text()),
}


@dataclass
class PrivacySource:
    """A privacy run read back.

    Attributes:
        path: the file read.
        task: ``"stealing"``, ``"inversion"`` or ``"membership"``.
        config: its configuration, checked: a :class:`StealConfig`, an :class:`InversionConfig` or a
            :class:`MembershipConfig` (``data`` and ``cache`` reset to None).
        ignored: what the file asked for that a file may not decide (``{"cache": "/tmp/x"}``).
    """

    path: Path
    task: str
    config: StealConfig | InversionConfig | MembershipConfig
    ignored: dict[str, Any] = field(default_factory=dict)


def privacy_task(data: Any) -> str | None:
    """The task whose saved result ``data`` (parsed JSON) is, by its shape; None: not a privacy result."""
    config = data.get("config") if isinstance(data, dict) else None
    if not isinstance(config, dict):
        return None
    if "victim" in config and "budgets" in config:
        return "stealing"
    if isinstance(config.get("attack"), dict):
        return "inversion"
    if "auc" in data and isinstance(config.get("attack"), str):
        return "membership"
    return None


def read_privacy(path: Path, data: Any) -> PrivacySource:
    """The privacy run ``data`` (parsed from ``path``) holds, its configuration checked.

    Raises:
        RecipeError: not a privacy result, or a field of its configuration of the wrong type or out
            of range, an unknown method or attack (the message names the file and the field).
    """
    task = privacy_task(data)
    if task is None:
        raise RecipeError(f"{show_path(path)}: not a privacy run's result")
    where = f"{show_path(path)}: the {task} configuration"
    ignored: dict[str, Any] = {}
    try:
        config = _READERS[task](data["config"], where, ignored)
    except RecipeError:
        raise
    except InspectorError as exc:  # what the configuration's own check() refuses
        raise RecipeError(f"{where}: {exc}") from None
    return PrivacySource(path, task, config, ignored)


def _stealing(config: dict, where: str, ignored: dict[str, Any]) -> StealConfig:
    made = StealConfig(**check_fields(config, _STEALING, where, RecipeError))
    made.check()
    return made


def _inversion(config: dict, where: str, ignored: dict[str, Any]) -> InversionConfig:
    values = check_fields(config, _INVERSION, where, RecipeError, required=("model",))
    attack = MIFace(**check_fields(config["attack"], _MI_FACE, f"{where}: MI-Face", RecipeError))
    attack.check()
    return InversionConfig(values["model"], attack, values.get("judges"))


def _membership(config: dict, where: str, ignored: dict[str, Any]) -> MembershipConfig:
    """The run's configuration; its ``data`` and ``cache`` go to ``ignored`` instead."""
    values = check_fields(config, _MEMBERSHIP, where, RecipeError)
    ignored.update({k: values.pop(k) for k in NOT_FROM_FILE if values.get(k) is not None})
    made = MembershipConfig(**values)
    made.check()
    return made


_READERS: dict[str, Callable[[dict, str, dict[str, Any]], StealConfig | InversionConfig | MembershipConfig]] = {
    "stealing": _stealing,
    "inversion": _inversion,
    "membership": _membership,
}
