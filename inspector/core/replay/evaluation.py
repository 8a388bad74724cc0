"""Replaying an evaluation and comparing it with the saved records, or a report's tables."""

from __future__ import annotations

import dataclasses
import json
import math
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from inspector.core.attacks.base import StopCheck
from inspector.core.bounds import check_count
from inspector.core.classifier import Classifier
from inspector.core.errors import ParameterError, RecipeError
from inspector.core.evaluation import EvaluationResult, Progress, evaluate
from inspector.core.evaluation.records import RESULTS, record_key
from inspector.core.messages import show_path
from inspector.core.replay.source import EvaluationSource


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
            return "stopped before the end: nothing compared" if self.result.stopped else \
                "no saved records or tables to compare with"
        if self.matched:
            return f"the replay gives the same {self.compared} ({self.checked} compared)"
        return (f"the replay differs: {self.differing} of {self.checked} {self.compared}, e.g. "
                f"{self.differences[0]}; an evaluation replays exactly only on the same device with the same versions")


def replay_evaluation(source: EvaluationSource, *, limit: int | None = None, out: str | None = None,
                      model: Classifier | None = None, on_progress: Callable[[Progress], None] | None = None,
                      should_stop: StopCheck | None = None) -> EvaluationReplay:
    """Run ``source``'s evaluation again, with its batch size and thread count, and compare.

    ``limit`` replays the first images only (rounded up to whole batches, so each batch is the
    one that ran) and compares their records; a report's tables need the whole run. ``out``
    keeps the replay's records there (default: a temporary folder).

    Raises:
        ParameterError: ``limit`` below 1, or with a report (whose tables cover every image).
        as :func:`~inspector.core.evaluation.evaluate`.
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
    records = {}
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except ValueError:
                    break                                       # a line cut short by a crash
                records[record_key(record)] = record
    except OSError as exc:
        raise RecipeError(f"{show_path(path)}: cannot read the records ({exc.strerror})") from None
    return records


def _compare_records(replay: EvaluationReplay, saved: dict, made: dict) -> None:
    replay.compared = "records"
    for key, record in made.items():
        if key not in saved:
            continue                                            # the saved run had not reached it yet
        replay.checked += 1
        if saved[key] != record:
            replay.differing += 1
            if len(replay.differences) < 3:
                fields = sorted(k for k in set(record) | set(saved[key]) if record.get(k) != saved[key].get(k))
                replay.differences.append(f"image {key[0]}, {key[1]} eps {key[2]} ({key[3]}, {key[4]}): "
                                          + ", ".join(f"{k} {saved[key].get(k)!r} saved, {record.get(k)!r} now"
                                                      for k in fields))


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
                    replay.differences.append(f"{name} row {key}: {row} saved, {rows_now.get(key)} now")


def _same(a, b) -> bool:
    """Equal, with NaN equal to NaN (an empty median)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b
