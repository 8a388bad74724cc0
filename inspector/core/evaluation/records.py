"""Per-image results, appended to ``results.jsonl`` and flushed as each completes, so nothing is lost.

A folder holds ``manifest.json`` (the configuration's fingerprint and versions) and
``results.jsonl``, one JSON record per line::

    {"image": "mnist-8000", "index": 0, "label": 4, "attack": "pgd", "eps": 0.1, "setting": "none",
     "variant": "main", "correct": true, "pred": 4, "linf": 0.098, "l2": 1.93}

``attack`` is ``"clean"`` for the prediction on the original (no norms); ``eps`` is null for
minimal-norm attacks; ``setting`` is ``none`` (bare model), ``defended`` (judged through the
defences) or ``adaptive``; ``variant`` is ``main`` or a sanity check's (``"steps x5"``,
``"loss margin"``, ``"unbounded"``); ``correct`` is the clean prediction's, ``pred`` the
adversarial's (the class the image is read as); ``linf`` and ``l2`` are the perturbation's norms in
[0, 1] pixel units. A targeted evaluation adds ``target``, the class the attack aimed at (records
written before targeted evaluations have none, and load). ``label``, ``pred`` and ``target`` are
class indices, checked against the model's class count when the folder is resumed. ``member``,
for an ensemble (AutoAttack), names the member attack that fooled the image. An evaluation with
randomized-smoothing certificates adds one record per image of attack ``"certify"``, with its own
fields (:mod:`inspector.core.evaluation.certified_records`).
A record's key is (image, attack, eps, setting, variant); a record with ``error`` stands for a
failure on that image (``attack`` ``"load"``: it could not be read at all). Resuming reads the records back (a line cut short by a crash
is dropped) and skips the keys they hold; a folder made by another configuration is refused.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from inspector.core.evaluation.certified_records import CERTIFY, CURVE, check_certificate
from inspector.core.io.files import write_atomically
from inspector.core.io.out_folder import check_folder, check_member, open_for_append, read_member
from inspector.core.io.untrusted import parse_json
from inspector.core.util.errors import ExportError, InspectorError, ParameterError
from inspector.core.util.messages import one_line, show_path

MANIFEST = "manifest.json"
RESULTS = "results.jsonl"
#: The largest manifest read back, in bytes (one is about 2 KB).
MAX_MANIFEST_BYTES = 2**20
#: The longest record line read back, in bytes (one is about 200 bytes; an error record a few hundred).
MAX_RECORD_BYTES = 2**16
#: The most records read back from one folder (2,000 digits with every default budget and the sanity
#: checks is about 15,000).
MAX_RECORDS = 500_000
#: The largest results file read back, in bytes.
MAX_RESULTS_BYTES = 128 * 2**20
#: The most threads a manifest may record.
MAX_THREADS = 1024
SETTINGS = ("none", "defended", "adaptive")
#: The most classes a record's class index may point into when the model's count is not known yet.
MAX_CLASSES = 1_000_000
#: The longest ensemble member name a record may hold.
MAX_MEMBER = 64

Key = tuple


def record_key(record: dict) -> Key:
    """(image, attack, eps, setting, variant) of a record."""
    return (record["image"], record["attack"], record["eps"], record["setting"], record["variant"])


def check_folder_before(folder: str | os.PathLike | None, resume: bool, classes: int | None = None) -> None:
    """Before any work: ``folder`` can hold an evaluation, or (``resume``) holds one whose
    manifest and records are well-formed (with ``classes``, their class indices in 0 .. classes - 1).
    Nothing is created or written.

    Raises:
        ParameterError: ``resume`` without a folder or without an evaluation in it; a malformed
            manifest or record.
        ExportError: the folder cannot be written or created; a member is a symbolic link, a
            hard link or not a regular file; without ``resume``, it already holds an evaluation.
    """
    if folder is None:
        if resume:
            raise ParameterError("--resume needs --out DIR, the folder of the evaluation to continue")
        return
    folder = Path(folder)
    check_folder(folder, (MANIFEST, RESULTS, CURVE))
    if resume:
        read_manifest(folder)
        if check_member(folder / RESULTS) is not None:
            fd = open_for_append(folder / RESULTS, read=True)
            try:
                _read_records(fd, folder / RESULTS, cut=False, classes=classes)
            finally:
                os.close(fd)
    elif check_member(folder / MANIFEST) is not None or check_member(folder / RESULTS) is not None:
        raise ExportError(
            f"{show_path(folder)} already holds an evaluation; add --resume to "
            "continue it, or choose another --out folder"
        )


def read_manifest(folder: str | os.PathLike) -> dict:
    """The manifest of the evaluation in ``folder``, checked: an object whose ``config`` is an object
    and whose ``threads`` (if any) is a whole number from 1 to MAX_THREADS.

    Raises:
        ParameterError: no manifest there, or it is malformed (not JSON, too deep, too big, wrong types).
        ExportError: it is a symbolic link, a hard link or not a regular file.
    """
    path = Path(folder) / MANIFEST
    if check_member(path) is None:
        raise ParameterError(f"{show_path(folder)}: no evaluation to resume here (no {MANIFEST})")
    shown = show_path(path)
    data = parse_json(read_member(path, ParameterError, "manifest", MAX_MANIFEST_BYTES), shown, ParameterError)
    if not isinstance(data, dict) or not isinstance(data.get("config"), dict):
        raise ParameterError(f'{shown}: not an evaluation manifest (no "config" object); choose another --out folder')
    threads = data["config"].get("threads")
    if threads is not None and (type(threads) is not int or not 1 <= threads <= MAX_THREADS):
        raise ParameterError(
            f'{shown}: "threads" must be a whole number from 1 to {MAX_THREADS}, not {one_line(repr(threads), 40)}'
        )
    return data


class RecordStore:
    """The records of one evaluation, in memory and (with a folder) on disk.

    Attributes:
        records: every record, in the order written.
        failed: the images whose loading failed (they count as done for every key).
    """

    def __init__(
        self, folder: str | os.PathLike | None, manifest: dict, *, resume: bool = False, classes: int | None = None
    ):
        """Open the store; with ``folder``, create it or (``resume``) read it back, every record's class
        indices (``label``, ``pred``, ``target``) checked to be below ``classes`` where it is given.

        Members are never opened through a symbolic link (see :mod:`inspector.core.io.out_folder`).

        Raises:
            ExportError: the folder cannot be written, already holds results and ``resume`` is off,
                or holds a symbolic link, a hard link or a non-regular file where a member goes.
            ParameterError: ``resume`` without a folder, the folder's configuration differs
                (the message names the differing fields), or its manifest or records are malformed
                (a class index out of range among them).
        """
        self.records: list[dict] = []
        self._keys: set[Key] = set()
        self.failed: set[str] = set()
        self._fd: int | None = None
        check_folder_before(folder, resume, classes)
        if folder is None:
            return
        self.folder = Path(folder)
        manifest_file, results_file = self.folder / MANIFEST, self.folder / RESULTS
        try:
            if resume:
                _check_same(read_manifest(self.folder), manifest, self.folder)
                self._fd = open_for_append(results_file, read=True)
                for record in _read_records(self._fd, results_file, cut=True, classes=classes):
                    self._remember(record)
            else:
                self.folder.mkdir(parents=True, exist_ok=True)
                text = json.dumps(manifest, indent=2)
                write_atomically(manifest_file, lambda fh: fh.write(text.encode("utf-8")))
                self._fd = open_for_append(results_file)
        except OSError as exc:
            self.close()
            raise ExportError(f"{show_path(self.folder)}: cannot write the results ({one_line(exc)})") from None
        except BaseException:
            self.close()
            raise

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
        if self._fd is not None and records:
            data = "".join(json.dumps(record) + "\n" for record in records).encode("utf-8")
            while data:
                data = data[os.write(self._fd, data) :]
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _read_records(fd: int, path: Path, *, cut: bool, classes: int | None = None) -> list[dict]:
    """The records in the open results file ``fd``; with ``cut``, the file is cut after the last whole one.

    A last line without its newline (cut short by a crash) is dropped; any other line that is
    not a well-formed record (:func:`_check_record`, with ``classes``) refuses the folder.

    Raises:
        ParameterError: the file is over MAX_RESULTS_BYTES, a line too long, too many records,
            or a line that is not a record.
    """
    if os.fstat(fd).st_size > MAX_RESULTS_BYTES:
        raise ParameterError(
            f"{show_path(path)}: over the {MAX_RESULTS_BYTES // 2**20} MB a results file may have; "
            "choose another --out folder"
        )
    records: list[dict] = []
    good = 0
    os.lseek(fd, 0, os.SEEK_SET)
    with os.fdopen(os.dup(fd), "rb") as fh:
        for number, line in enumerate(iter(lambda: fh.readline(MAX_RECORD_BYTES + 1), b""), start=1):
            if not line.endswith(b"\n"):
                if len(line) > MAX_RECORD_BYTES:
                    raise ParameterError(
                        f"{show_path(path)} line {number}: longer than {MAX_RECORD_BYTES} bytes, "
                        "not a record; choose another --out folder"
                    )
                break  # a line cut short by a crash: it is redone
            if number > MAX_RECORDS:
                raise ParameterError(f"{show_path(path)}: more than {MAX_RECORDS} records; choose another --out folder")
            records.append(
                _check_record(
                    parse_json(line, f"{show_path(path)} line {number}", ParameterError),
                    f"{show_path(path)} line {number}",
                    classes,
                )
            )
            good += len(line)
    if cut:
        os.ftruncate(fd, good)
    return records


def _check_record(record, where: str, classes: int | None = None) -> dict:
    """``record`` if it has the fields and types of a record (see this module's docstring); its class
    indices (``label``, ``pred``, ``target``) are whole numbers from 0, below ``classes`` where given.

    Raises:
        ParameterError: it does not.
    """

    def bad(what: str):
        return ParameterError(f"{where}: not an evaluation record ({what}); choose another --out folder")

    if not isinstance(record, dict):
        raise bad("not a JSON object")
    for name in ("image", "attack", "variant"):
        if not isinstance(record.get(name), str):
            raise bad(f"{name!r} must be text")
    if record.get("setting") not in SETTINGS:
        raise bad(f"'setting' must be one of {', '.join(SETTINGS)}")
    if record.get("eps") is not None and not _number(record["eps"]):
        raise bad("'eps' must be a number or null")
    for name in ("index", "label", "target"):
        if name in record and type(record[name]) is not int:
            raise bad(f"{name!r} must be a whole number")
    for name in ("label", "pred", "target"):
        if type(record.get(name)) is int and not 0 <= record[name] < (classes or MAX_CLASSES):
            shown = one_line(str(record[name]), 24)
            raise bad(f"{name!r} {shown} is not a class of the model (0 to {(classes or MAX_CLASSES) - 1})")
    if "error" in record:
        if not isinstance(record["error"], str):
            raise bad("'error' must be text")
        return record
    if record["attack"] == CERTIFY:
        check_certificate(record, bad, classes or MAX_CLASSES)
        return record
    if type(record.get("label")) is not int or type(record.get("pred")) is not int:
        raise bad("'label' and 'pred' must be whole numbers")
    if type(record.get("correct")) is not bool:
        raise bad("'correct' must be true or false")
    for name in ("linf", "l2"):
        if name in record and not _number(record[name]):
            raise bad(f"{name!r} must be a number")
    if "member" in record and not (isinstance(record["member"], str) and len(record["member"]) <= MAX_MEMBER):
        raise bad(f"'member' must be text of at most {MAX_MEMBER} characters")
    return record


def _number(value) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def saved_config(folder: str | os.PathLike | None) -> dict | None:
    """The configuration fingerprint recorded in ``folder``'s manifest; None where there is none to read
    (no folder, no manifest, or one that is malformed: :func:`check_folder_before` says why)."""
    if folder is None:
        return None
    try:
        return read_manifest(folder)["config"]
    except InspectorError:
        return None


def _check_same(saved: dict, current: dict, folder: Path) -> None:
    old, new = saved.get("config", {}), current["config"]
    differ = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if differ:
        detail = "; ".join(
            f"{k}: {one_line(repr(old.get(k)), 60)} there, {one_line(repr(new.get(k)), 60)} now" for k in differ[:3]
        )
        raise ParameterError(
            f"{show_path(folder)} holds an evaluation of another configuration ({detail}); "
            "resume it with the same options, or choose another --out folder"
        )
