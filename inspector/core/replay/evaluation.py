"""Replaying an evaluation and comparing it with the saved records, or a report's tables."""

from __future__ import annotations

import dataclasses
import json
import math
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from inspector.core.attacks.base import StopCheck
from inspector.core.evaluation import EvaluationResult, Progress, evaluate
from inspector.core.evaluation.records import RESULTS, record_key
from inspector.core.io.file_fields import shown
from inspector.core.io.untrusted import read_text
from inspector.core.models.classifier import Classifier
from inspector.core.replay.source import EvaluationSource, parse_saved_json
from inspector.core.util.bounds import check_count
from inspector.core.util.errors import ParameterError, RecipeError
from inspector.core.util.messages import show_path

#: The largest results.jsonl read, in bytes (an ImageNet validation run with 5 budgets takes about 100 MB).
MAX_RECORDS_BYTES = 256 * 2**20
#: The fields of a record that make its key (see :func:`~inspector.core.evaluation.records.record_key`).
KEY_FIELDS = ("image", "attack", "eps", "setting", "variant")
_KEY_TYPES = (str, int, float, type(None))


@dataclass
class EvaluationReplay:
    """The replayed evaluation and how it compares with what was saved.

    Attributes:
        result: the replayed evaluation (stopped: nothing is compared).
        compared: what was compared: ``"records"`` (each image's results), ``"tables"`` (a report's
            clean and robust accuracy) or None (nothing saved, or the replay was stopped).
        checked: records or table rows compared; ``differences`` the first few that differ, described.
    """

    result: EvaluationResult
    compared: str | None = None
    checked: int = 0
    differences: list[str] = field(default_factory=list)
    differing: int = 0

    @property
    def matched(self) -> bool | None:
        """True: the same records (or tables); False: some differ; None: nothing compared."""
        return None if self.compared is None else self.differing == 0

    def describe(self) -> str:
        """One line saying how the replay compares."""
        if self.compared is None:
            return (
                "stopped before the end: nothing compared"
                if self.result.stopped
                else "no saved records or tables to compare with"
            )
        if self.matched:
            return f"the replay gives the same {self.compared} ({self.checked} compared)"
        return (
            f"the replay differs: {self.differing} of {self.checked} {self.compared}, e.g. "
            f"{self.differences[0]}; an evaluation replays exactly only on the same device with the same versions"
        )


def replay_evaluation(
    source: EvaluationSource,
    *,
    limit: int | None = None,
    out: str | None = None,
    model: Classifier | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: StopCheck | None = None,
) -> EvaluationReplay:
    """Run ``source``'s evaluation again, with its batch size and thread count, and compare.

    ``limit`` replays the first images only (rounded up to whole batches, so each batch is the
    one that ran) and compares their records; a report's tables need the whole run. ``out``
    keeps the replay's records there (default: a temporary folder).

    Raises:
        ParameterError: ``limit`` below 1, or with a report (whose tables cover every image);
            otherwise as :func:`~inspector.core.evaluation.evaluate`.
    """
    config = source.config
    if limit is not None:
        check_count(limit, "--limit")
        if source.records is None:
            raise ParameterError("a limit needs the saved records to compare with (an evaluation's folder)")
        batch = config.batch_size or 1
        rounded = math.ceil(limit / batch) * batch
        config = dataclasses.replace(config, limit=min(rounded, config.limit or rounded))
    with tempfile.TemporaryDirectory(prefix="inspector-replay-") as scratch:
        folder = Path(out) if out else Path(scratch) / "replay"
        config = dataclasses.replace(config, out=str(folder), resume=False)
        result = evaluate(config, model=model, on_progress=on_progress, should_stop=should_stop)
        replay = EvaluationReplay(result)
        if result.stopped:
            return replay
        if source.records is not None:
            _compare_records(replay, _read(source.records), _read(folder / RESULTS))
        elif source.tables is not None:
            _compare_tables(replay, source.tables, result)
    return replay


def _read(path: Path) -> dict:
    """The records of ``results.jsonl`` by key, read as untrusted input (bounded, a regular file).

    A last line cut short (no newline: a crash while writing) is left out; any other line that
    is not a record is refused.

    Raises:
        RecipeError: the file is not a regular file, is over :data:`MAX_RECORDS_BYTES`, is not
            UTF-8, or a line is not a JSON record with its key fields (the message names the line).
    """
    text = read_text(path, RecipeError, "records", MAX_RECORDS_BYTES)
    lines = text.split("\n")
    records = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{show_path(path)}: line {number}"
        try:
            record = parse_saved_json(line, where)
        except RecipeError:
            if number == len(lines):
                break  # a line cut short by a crash
            raise
        if not isinstance(record, dict) or not all(
            k in record and isinstance(record[k], _KEY_TYPES) for k in KEY_FIELDS
        ):
            raise RecipeError(
                f"{where} is not an evaluation record: an object with {', '.join(KEY_FIELDS)} (texts or numbers)"
            )
        records[record_key(record)] = record
    return records


def _compare_records(replay: EvaluationReplay, saved: dict, made: dict) -> None:
    replay.compared = "records"
    for key, record in made.items():
        if key not in saved:
            continue  # the saved run had not reached it yet
        replay.checked += 1
        if saved[key] != record:
            replay.differing += 1
            if len(replay.differences) < 3:
                fields = sorted(k for k in set(record) | set(saved[key]) if record.get(k) != saved[key].get(k))
                replay.differences.append(
                    f"image {_brief(key[0])}, {_brief(key[1])} eps {_brief(key[2])} "
                    f"({_brief(key[3])}, {_brief(key[4])}): "
                    + ", ".join(
                        f"{_brief(k)} {shown(saved[key].get(k))} saved, {shown(record.get(k))} now" for k in fields[:4]
                    )
                )


def _compare_tables(replay: EvaluationReplay, tables: dict, result: EvaluationResult) -> None:
    replay.compared = "tables"
    made = {"clean": result.clean, "robust": result.robust}
    for name in ("clean", "robust"):
        saved, now = json.loads(json.dumps(tables.get(name))), json.loads(json.dumps(made[name]))
        rows_saved = list(saved.items()) if isinstance(saved, dict) else list(enumerate(saved or []))
        rows_now = dict(now.items()) if isinstance(now, dict) else dict(enumerate(now))
        for key, row in rows_saved:
            replay.checked += 1
            if not _same(row, rows_now.get(key)):
                replay.differing += 1
                if len(replay.differences) < 3:
                    replay.differences.append(
                        f"{name} row {_brief(key)}: {shown(row)} saved, {shown(rows_now.get(key))} now"
                    )


def _brief(value) -> str:
    """A key from a saved file as it goes into the one-line description: as is when short and plain."""
    return (
        str(value)
        if isinstance(value, (str, int, float)) and len(str(value)) <= 80 and str(value).isprintable()
        else shown(value)
    )


def _same(a, b) -> bool:
    """Equal, with NaN equal to NaN (an empty median)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b
