"""What a replay reads: :func:`read_source` tells an attack's recipe from an evaluation's.

Accepted, for an attack run: the ``result.json`` that ``inspector attack --out-dir`` and the app
write (its ``recipe``, and ``adversarial.png`` beside it to compare with), its folder, the app's
exported recipe (with a model comparison: its source attack), or a bare recipe (the
``recipe`` object alone). For an evaluation: its ``--out`` folder or the
``manifest.json`` in it (the records in ``results.jsonl`` to compare with), the HTML report
(its embedded recipe and tables), or a bare configuration. A privacy run's result
(``steal.json``, ``inversion.json``, ``membership.json``, the app's exports) gives its task and
configuration (:mod:`inspector.core.replay.privacy`), and a poisoning run's ``result.json``
(``inspector poison``) its trainings' configurations (:mod:`inspector.core.replay.poisoning`):
these are not replayed, but the app opens them. A physical attack's ``result.json`` (``inspector
physical``) gives its job, which is replayed (:mod:`inspector.core.replay.physical`).

These files may come from anyone, so they are read as untrusted input: a bounded read of a
regular file (a FIFO or a device is refused, not waited on), JSON of bounded nesting, every
recipe and configuration field checked for its type and range (:mod:`inspector.core.io.file_fields`).
And a file never decides what it may do: the fields that would widen that are not taken from
it but reset, and kept in the source's ``ignored`` for the caller to say so:

- ``trust_model_code``: loading a pickled model runs code from it; trust is the person's
  decision when loading (``replay --trust-model-code``, the app's question), never the file's;
- ``ray`` (an evaluation): a cluster address would make the tool connect to the network;
  a replay runs here unless its command line says otherwise;
- ``out`` and ``resume`` (an evaluation): a replay writes only where its command line says.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from inspector.core.evaluation.config import EvaluationConfig
from inspector.core.evaluation.report import REPORT_RECIPE_ID
from inspector.core.evasion.recipe import Recipe
from inspector.core.io.file_fields import check_fields, device, optional
from inspector.core.io.untrusted import MAX_JSON_BYTES, parse_json, read_text
from inspector.core.replay.physical import PhysicalSource, is_physical, read_physical
from inspector.core.replay.poisoning import PoisoningSource, is_poisoning, read_poisoning
from inspector.core.replay.privacy import PrivacySource, privacy_task, read_privacy
from inspector.core.util.errors import RecipeError
from inspector.core.util.messages import one_line, show_path

RESULT = "result.json"
ADVERSARIAL = "adversarial.png"
MANIFEST = "manifest.json"
RESULTS = "results.jsonl"
#: The largest HTML report read, in bytes (its pictures are inline).
MAX_REPORT_BYTES = 64 * 2**20
_REPORT_START = f'<script type="application/json" id="{REPORT_RECIPE_ID}">'
_REPORT_END = "</script>"
#: NaN and Infinity, which a result's or report's figures may hold (an empty median).
_CONSTANT = re.compile(r"-?(?:NaN|Infinity)")
#: The fields a file may not decide, with the value a replay takes instead of the file's.
NOT_FROM_FILE = {"trust_model_code": False, "ray": None}


@dataclass
class AttackSource:
    """An attack run to replay.

    Attributes:
        path: the file read.
        recipe: the run's recipe (image path resolved, device as saved).
        adversarial: the saved 8-bit adversarial to compare with; None: none beside the file.
        ignored: what the file asked for that a file may not decide (``{"trust_model_code": True}``),
            reset in ``recipe`` (see :data:`NOT_FROM_FILE`).
    """

    path: Path
    recipe: Recipe
    adversarial: Path | None
    ignored: dict[str, Any] = field(default_factory=dict)


@dataclass
class EvaluationSource:
    """An evaluation to replay.

    Attributes:
        path: the file or folder read.
        config: the evaluation's configuration (its batch size and thread count as run).
        records: the saved ``results.jsonl`` to compare with; None: none.
        tables: a report's ``{"clean", "robust"}`` tables to compare with; None: none.
        ignored: what the file asked for that a file may not decide (``{"ray": "ray://head:10001"}``),
            reset in ``config`` (see :data:`NOT_FROM_FILE`).
    """

    path: Path
    config: EvaluationConfig
    records: Path | None = None
    tables: dict | None = None
    ignored: dict[str, Any] = field(default_factory=dict)


def read_source(
    path: str | os.PathLike,
) -> AttackSource | EvaluationSource | PrivacySource | PoisoningSource | PhysicalSource:
    """Read a recipe, result.json, evaluation folder, manifest or report, or a privacy, poisoning or
    physical run's result.

    Raises:
        RecipeError: the path is missing, not a regular file (a FIFO, a device), too large, not
            UTF-8, not JSON or nested too deeply, none of those, or a field of its recipe or
            configuration is of the wrong type or out of range (the message names the file and field).
    """
    path = Path(path)
    if path.is_dir():
        for name in (RESULT, MANIFEST):
            if os.path.lexists(path / name):  # a FIFO there is refused, not passed over
                return read_source(path / name)
        raise RecipeError(f"{show_path(path)}: holds neither an attack's {RESULT} nor an evaluation's {MANIFEST}")
    if path.suffix.lower() in (".html", ".htm"):
        text = _embedded_recipe(path, read_text(path, RecipeError, "report", MAX_REPORT_BYTES))
    else:
        text = read_text(path, RecipeError, "recipe", MAX_JSON_BYTES)
    return _from_json(path, parse_saved_json(text, f"{show_path(path)}: the recipe"))


def parse_saved_json(text: str, where: str) -> Any:
    """The JSON value in ``text``, nested at most :data:`~inspector.core.io.untrusted.MAX_JSON_DEPTH` levels.

    NaN and Infinity are accepted (Python's ``json`` writes them, and a result's or report's
    figures hold them); the fields that matter refuse them where they are checked.

    Raises:
        RecipeError: not JSON, or nested too deeply (the message starts with ``where``).
    """
    parse_json(_CONSTANT.sub("0", text), where, RecipeError)  # the syntax and the nesting
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise RecipeError(f"{where} is not valid JSON ({one_line(exc)})") from None


def _embedded_recipe(path: Path, text: str) -> str:
    """The JSON text of the recipe an evaluation report embeds (found in linear time)."""
    start = text.find(_REPORT_START)
    end = text.find(_REPORT_END, start + len(_REPORT_START)) if start >= 0 else -1
    if end < 0:
        raise RecipeError(f"{show_path(path)}: not an evaluation report with a recipe")
    return html.unescape(text[start + len(_REPORT_START) : end])


def _from_json(path: Path, data) -> AttackSource | EvaluationSource | PrivacySource | PoisoningSource | PhysicalSource:
    if privacy_task(data) is not None:  # first: a membership export also has a recipe object
        return read_privacy(path, data)
    if is_poisoning(data):
        return read_poisoning(path, data)
    if is_physical(data):  # before an attack's: its result also has a recipe object
        return read_physical(path, data)
    if isinstance(data, dict) and isinstance(data.get("source"), dict) and "models" in data:
        data = data["source"]  # a model comparison: its source attack
    if isinstance(data, dict) and isinstance(data.get("recipe"), dict):  # an attack's result.json
        model = data.get("model")
        ran_on = _device(path, model.get("device") if isinstance(model, dict) else None, "the model's device")
        return _attack(path, data["recipe"], ran_on)
    if isinstance(data, dict) and isinstance(data.get("config"), dict):  # a manifest or a report's recipe
        records = path.parent / RESULTS if path.name == MANIFEST else None
        tables = _tables(path, data.get("tables"))
        source = _evaluation(path, data["config"])
        ran_on = _device(path, data.get("device"), "the device")
        if source.config.device is None and ran_on:
            source.config.device = ran_on  # the device it ran on: "auto" may pick another here
        source.records = records if records and os.path.lexists(records) else None
        source.tables = tables
        return source
    if isinstance(data, dict) and isinstance(data.get("image"), str) and isinstance(data.get("attack"), str):
        return _attack(path, data, None)
    if isinstance(data, dict) and isinstance(data.get("data"), str) and isinstance(data.get("attacks"), list):
        return _evaluation(path, data)
    raise RecipeError(
        f"{show_path(path)}: not a recipe: expected an attack's {RESULT} or recipe, "
        f"an evaluation's folder, {MANIFEST} or report, or a privacy or poisoning run's result"
    )


def _attack(path: Path, data: dict, ran_on: str | None) -> AttackSource:
    recipe = Recipe.from_dict(data, f"{show_path(path)}: the recipe")
    ignored = _not_from_file(recipe)
    image = Path(recipe.image)
    if not image.is_absolute() and not image.exists() and (path.parent / image).exists():
        recipe.image = str(path.parent / image)  # a relative path, read from the recipe's folder
    if recipe.device is None and ran_on:
        recipe.device = ran_on  # the device it ran on: "auto" may pick another here
    adversarial = path.parent / ADVERSARIAL if path.name == RESULT else None
    return AttackSource(path, recipe, adversarial if adversarial and adversarial.is_file() else None, ignored)


def _evaluation(path: Path, data: dict) -> EvaluationSource:
    config = EvaluationConfig.from_dict(data, f"{show_path(path)}: the evaluation's configuration")
    ignored = _not_from_file(config)
    return EvaluationSource(path, dataclasses.replace(config, out=None, resume=False), ignored=ignored)


def _not_from_file(settings: Recipe | EvaluationConfig) -> dict[str, Any]:
    """Reset in ``settings`` the fields a file may not decide; what the file asked for, where it differed."""
    ignored = {}
    for name, value in NOT_FROM_FILE.items():
        if hasattr(settings, name) and getattr(settings, name) != value:
            ignored[name] = getattr(settings, name)
            setattr(settings, name, value)
    return ignored


def _device(path: Path, value: Any, what: str) -> str | None:
    return check_fields({"device": value}, {"device": optional(device())}, f"{show_path(path)}: {what}", RecipeError)[
        "device"
    ]


def _tables(path: Path, tables: Any) -> dict | None:
    """A report's tables: ``clean`` and ``robust``, each an object or a list of rows (or absent)."""
    if tables is None:
        return None
    if not isinstance(tables, dict) or not all(
        isinstance(tables.get(name), (dict, list, type(None))) for name in ("clean", "robust")
    ):
        raise RecipeError(
            f"{show_path(path)}: the report's tables must be an object whose clean and robust "
            "are objects or lists of rows"
        )
    return tables
