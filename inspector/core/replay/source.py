"""What a replay reads: :func:`read_source` tells an attack's recipe from an evaluation's.

Accepted, for an attack run: the ``result.json`` that ``inspector attack --out-dir`` and the app
write (its ``recipe``, and ``adversarial.png`` beside it to compare with), its folder, the app's
exported recipe (with a model comparison: its source attack), or a bare recipe (the
``recipe`` object alone). For an evaluation: its ``--out`` folder or the
``manifest.json`` in it (the records in ``results.jsonl`` to compare with), the HTML report
(its embedded recipe and tables), or a bare configuration.
"""

from __future__ import annotations

import dataclasses
import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from inspector.core.errors import RecipeError
from inspector.core.evaluation.config import EvaluationConfig
from inspector.core.evaluation.report import REPORT_RECIPE_ID
from inspector.core.messages import one_line, show_path
from inspector.core.run import Recipe

RESULT = "result.json"
ADVERSARIAL = "adversarial.png"
MANIFEST = "manifest.json"
RESULTS = "results.jsonl"
_REPORT_RECIPE = re.compile(r'<script type="application/json" id="' + REPORT_RECIPE_ID + r'">(.*?)</script>', re.S)


@dataclass
class AttackSource:
    """An attack run to replay.

    Attributes:
        path: the file read.
        recipe: the run's recipe (image path resolved, device as saved).
        adversarial: the saved 8-bit adversarial to compare with; None: none beside the file.
    """

    path: Path
    recipe: Recipe
    adversarial: Path | None


@dataclass
class EvaluationSource:
    """An evaluation to replay.

    Attributes:
        path: the file or folder read.
        config: the evaluation's configuration (its batch size and thread count as run).
        records: the saved ``results.jsonl`` to compare with; None: none.
        tables: a report's ``{"clean", "robust"}`` tables to compare with; None: none.
    """

    path: Path
    config: EvaluationConfig
    records: Path | None = None
    tables: dict | None = None


def read_source(path: str | os.PathLike) -> AttackSource | EvaluationSource:
    """Read a recipe, result.json, evaluation folder, manifest or report.

    Raises:
        RecipeError: the path is missing, unreadable, or none of those.
    """
    path = Path(path)
    if path.is_dir():
        for name in (RESULT, MANIFEST):
            if (path / name).is_file():
                return read_source(path / name)
        raise RecipeError(f"{show_path(path)}: holds neither an attack's {RESULT} nor an evaluation's {MANIFEST}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RecipeError(f"{show_path(path)}: cannot read the recipe ({one_line(exc)})") from None
    if path.suffix.lower() in (".html", ".htm"):
        found = _REPORT_RECIPE.search(text)
        if not found:
            raise RecipeError(f"{show_path(path)}: not an evaluation report with a recipe")
        text = html.unescape(found.group(1))
    try:
        data = json.loads(text)
    except ValueError:
        raise RecipeError(f"{show_path(path)}: not a recipe (not JSON)") from None
    return _from_json(path, data)


def _from_json(path: Path, data) -> AttackSource | EvaluationSource:
    if isinstance(data, dict) and isinstance(data.get("source"), dict) and "models" in data:
        data = data["source"]                                 # a model comparison: its source attack
    if isinstance(data, dict) and isinstance(data.get("recipe"), dict):          # an attack's result.json
        device = (data.get("model") or {}).get("device")
        return _attack(path, data["recipe"], device)
    if isinstance(data, dict) and isinstance(data.get("config"), dict):          # a manifest or a report's recipe
        records = path.parent / RESULTS if path.name == MANIFEST else None
        tables = data.get("tables") if isinstance(data.get("tables"), dict) else None
        config = _config(path, data["config"])
        if config.device is None and isinstance(data.get("device"), str):
            config.device = data["device"]              # the device it ran on: "auto" may pick another here
        return EvaluationSource(path, config, records if records and records.is_file() else None, tables)
    if isinstance(data, dict) and isinstance(data.get("image"), str) and isinstance(data.get("attack"), str):
        return _attack(path, data, None)
    if isinstance(data, dict) and isinstance(data.get("data"), str) and isinstance(data.get("attacks"), list):
        return EvaluationSource(path, _config(path, data))
    raise RecipeError(f"{show_path(path)}: not a recipe: expected an attack's {RESULT} or recipe, "
                      f"or an evaluation's folder, {MANIFEST} or report")


def _attack(path: Path, data: dict, device: str | None) -> AttackSource:
    try:
        recipe = Recipe.from_dict(data)
    except TypeError:
        raise RecipeError(f"{show_path(path)}: the recipe lacks the image or attack") from None
    if not isinstance(recipe.image, str) or not isinstance(recipe.attack, str):
        raise RecipeError(f"{show_path(path)}: the recipe's image and attack must be text")
    image = Path(recipe.image)
    if not image.is_absolute() and not image.exists() and (path.parent / image).exists():
        recipe.image = str(path.parent / image)       # a relative path, read from the recipe's folder
    if recipe.device is None and device:
        recipe.device = device                        # the device it ran on: "auto" may pick another here
    adversarial = path.parent / ADVERSARIAL if path.name == RESULT else None
    return AttackSource(path, recipe, adversarial if adversarial and adversarial.is_file() else None)


def _config(path: Path, data: dict) -> EvaluationConfig:
    names = {f.name for f in dataclasses.fields(EvaluationConfig)}
    try:
        config = EvaluationConfig(**{k: v for k, v in data.items() if k in names})
    except TypeError:
        raise RecipeError(f"{show_path(path)}: the evaluation's configuration lacks its data set") from None
    return dataclasses.replace(config, out=None, resume=False)
