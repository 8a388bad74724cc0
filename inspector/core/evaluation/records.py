"""Per-image results, appended to ``results.jsonl`` and flushed as each completes, so nothing is lost.

A folder holds ``manifest.json`` (the configuration's fingerprint and versions) and
``results.jsonl``, one JSON record per line::

    {"image": "mnist-8000", "index": 0, "label": 4, "attack": "pgd", "eps": 0.1, "setting": "none",
     "variant": "main", "correct": true, "pred": 4, "linf": 0.098, "l2": 1.93}

``attack`` is ``"clean"`` for the prediction on the original (no norms); ``eps`` is null for
minimal-norm attacks; ``setting`` is ``none`` (bare model), ``defended`` (judged through the
defences) or ``adaptive``; ``variant`` is ``main`` or a sanity check's (``"steps x5"``,
``"loss margin"``, ``"unbounded"``); ``correct`` is the clean prediction's, ``pred`` the
adversarial's; ``linf`` and ``l2`` are the perturbation's norms in [0, 1] pixel units.
A record's key is (image, attack, eps, setting, variant); a record with ``error`` stands for a
failure on that image (``attack`` ``"load"``: it could not be read at all). Resuming reads the records back (a line cut short by a crash
is dropped) and skips the keys they hold; a folder made by another configuration is refused.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from inspector.core.errors import ExportError, ParameterError
from inspector.core.messages import one_line, show_path

MANIFEST = "manifest.json"
RESULTS = "results.jsonl"

Key = tuple


def record_key(record: dict) -> Key:
    """(image, attack, eps, setting, variant) of a record."""
    return (record["image"], record["attack"], record["eps"], record["setting"], record["variant"])


class RecordStore:
    """The records of one evaluation, in memory and (with a folder) on disk.

    Attributes:
        records: every record, in the order written.
        failed: the images whose loading failed (they count as done for every key).
    """

    def __init__(self, folder: str | os.PathLike | None, manifest: dict, *, resume: bool = False):
        """Open the store; with ``folder``, create it or (``resume``) read it back.

        Raises:
            ExportError: the folder cannot be written, or already holds results and ``resume`` is off.
            ParameterError: ``resume`` without a folder, or the folder's configuration differs
                (the message names the differing fields).
        """
        self.records: list[dict] = []
        self._keys: set[Key] = set()
        self.failed: set[str] = set()
        self._file = None
        if folder is None:
            if resume:
                raise ParameterError("--resume needs --out DIR, the folder of the evaluation to continue")
            return
        self.folder = Path(folder)
        manifest_file, results_file = self.folder / MANIFEST, self.folder / RESULTS
        try:
            if resume:
                if not manifest_file.is_file():
                    raise ParameterError(f"{show_path(self.folder)}: no evaluation to resume here (no {MANIFEST})")
                _check_same(json.loads(manifest_file.read_text(encoding="utf-8")), manifest, self.folder)
                self._read(results_file)
            else:
                if results_file.exists() or manifest_file.exists():
                    raise ExportError(f"{show_path(self.folder)} already holds an evaluation; add --resume to "
                                      "continue it, or choose another --out folder")
                self.folder.mkdir(parents=True, exist_ok=True)
                manifest_file.write_text(json.dumps(manifest, indent=2), encoding="utf-8")
            self._file = open(results_file, "a", encoding="utf-8")
        except OSError as exc:
            raise ExportError(f"{show_path(self.folder)}: cannot write the results ({one_line(exc)})") from None

    def _read(self, path: Path) -> None:
        if not path.is_file():
            return
        good = 0
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    break  # a line cut short by a crash: it and anything after are redone
                self._remember(record)
                good += len(line.encode("utf-8"))
        with open(path, "r+b") as fh:
            fh.truncate(good)

    def _remember(self, record: dict) -> None:
        self.records.append(record)
        self._keys.add(record_key(record))
        if record.get("error") and record["attack"] == "load":
            self.failed.add(record["image"])

    def done(self, image: str, key_rest: tuple) -> bool:
        """Whether ``image`` has a record for (attack, eps, setting, variant) ``key_rest``, or failed to load."""
        return image in self.failed or (image, *key_rest) in self._keys

    def add(self, records: list[dict]) -> None:
        """Append records, write them and flush them to disk at once."""
        for record in records:
            self._remember(record)
            if self._file is not None:
                self._file.write(json.dumps(record) + "\n")
        if self._file is not None:
            self._file.flush()
            os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def saved_config(folder: str | os.PathLike | None) -> dict | None:
    """The configuration fingerprint recorded in ``folder``'s manifest; None where there is none to read."""
    if folder is None:
        return None
    try:
        return json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8")).get("config")
    except (OSError, ValueError, AttributeError):
        return None


def _check_same(saved: dict, current: dict, folder: Path) -> None:
    old, new = saved.get("config", {}), current["config"]
    differ = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if differ:
        detail = "; ".join(f"{k}: {old.get(k)!r} there, {new.get(k)!r} now" for k in differ[:3])
        raise ParameterError(f"{show_path(folder)} holds an evaluation of another configuration ({detail}); "
                             "resume it with the same options, or choose another --out folder")
