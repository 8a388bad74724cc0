"""Labelled images to evaluate on: a folder, a folder with ``labels.csv``, or a built-in set.

The label rule for a folder without ``labels.csv``: the file name's stem is cut at its
underscores, and the longest leading part that names a class gives the label, where a
part names a class as

* an ImageNet WordNet id (``n01440764_tench.JPEG`` is class 0), for 1000-class models;
* a class index (``7_0012.png`` is class 7);
* a class name, any case, ``_``, ``-`` and space alike (``great_white_shark_2.jpg``).

With ``labels.csv`` (header ``file,label``; ``file`` relative to the folder, ``label``
an index or a class name) the file names do not matter and only the files listed are used.
A folder in GTSRB's layout (``GT-*.csv`` annotation files, in it or in its class subfolders,
:mod:`inspector.core.io.datasets.gtsrb`) is read as GTSRB labels it, for 43-class models.
Built-in: ``mnist-heldout``, the last 2,000 digits of the MNIST test set, which no shipped
MNIST model trained on (shipped in ``resources/images``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import torch
from PIL import Image

from inspector.core.io.datasets.gtsrb import NUM_CLASSES as GTSRB_CLASSES
from inspector.core.io.datasets.gtsrb import gtsrb_samples, is_gtsrb_folder
from inspector.core.io.datasets.mnist import heldout_digits
from inspector.core.io.files import stat_path
from inspector.core.io.image import IMAGE_SUFFIXES, load_tensor, preprocess, to_tensor
from inspector.core.io.resources import resource_path
from inspector.core.io.untrusted import inside, read_text
from inspector.core.models.classifier import Classifier
from inspector.core.models.labels import resolve_class
from inspector.core.util.bounds import MAX_COUNT, check_count
from inspector.core.util.errors import ClassNameError, ImageError
from inspector.core.util.messages import show_path

BUILTIN_SETS = ("mnist-heldout",)
#: Index of the first held-out digit in the MNIST test set (the ids name the test-set index).
HELD_OUT_START = 8000
LABELS_CSV = "labels.csv"
#: The largest ``labels.csv`` read, in bytes (MAX_COUNT rows of about 100 bytes).
MAX_LABELS_BYTES = 16 * 2**20
#: The longest field of ``labels.csv`` (a file name or a class name), in characters.
MAX_FIELD = 4096
_WNID = re.compile(r"n\d{8}")


@dataclass(frozen=True)
class Sample:
    """One labelled image. ``load(model)`` gives it (1, C, H, W) in [0, 1] at the model's input size.

    ``load`` raises :class:`ImageError` for an unreadable file.
    """

    id: str
    label: int
    load: Callable[[Classifier], torch.Tensor]


def load_dataset(spec: str, model: Classifier, limit: int | None = None) -> list[Sample]:
    """The labelled images ``spec`` names, in a stable order (file names sorted), the first ``limit``.

    Raises:
        ImageError: no such folder or set, no images, more than MAX_COUNT images; a ``labels.csv``
            that is not a regular UTF-8 file under MAX_LABELS_BYTES, has a field over MAX_FIELD
            characters, or a row naming a missing file or one outside the folder.
        ClassNameError: a file name or ``labels.csv`` row with no label this model knows.
        ParameterError: ``limit`` outside 1..MAX_COUNT.
    """
    if limit is not None:
        check_count(limit, "the image limit")
    if spec == "mnist-heldout":
        samples = _mnist_heldout(model)
    else:
        folder = Path(spec)
        info = stat_path(folder, ImageError)
        if info is None or not stat.S_ISDIR(info.st_mode):
            raise ImageError(
                f"{show_path(folder)}: not a folder of images nor a built-in set ({', '.join(BUILTIN_SETS)})"
            )
        csv_file = folder / LABELS_CSV
        if os.path.lexists(csv_file):
            samples = _from_csv(folder, csv_file, model)
        elif is_gtsrb_folder(folder):
            samples = _from_gtsrb(folder, model)
        else:
            samples = _from_names(folder, model)
    if not samples:
        raise ImageError(f"{show_path(spec)}: no images to evaluate")
    return samples if limit is None else samples[:limit]


def _mnist_heldout(model: Classifier) -> list[Sample]:
    if model.channels != 1 or len(model.class_names) != 10:
        raise ImageError(
            f"mnist-heldout holds grey digits 0-9; {show_path(model.name)} takes "
            f"{model.channels} channel(s) and {len(model.class_names)} classes"
        )
    x, y = heldout_digits()

    def loader(i: int) -> Callable[[Classifier], torch.Tensor]:
        def load(m: Classifier) -> torch.Tensor:
            if tuple(m.input_size) == (28, 28):
                return x[i : i + 1]
            digit = Image.fromarray((x[i, 0] * 255).round().byte().numpy(), "L")
            return to_tensor(preprocess(digit, m.input_size, m.resize))

        return load

    return [Sample(f"mnist-{HELD_OUT_START + i}", int(y[i]), loader(i)) for i in range(len(y))]


def _file_loader(path: Path) -> Callable[[Classifier], torch.Tensor]:
    return lambda m: load_tensor(path, m.input_size, m.channels, m.resize)


def _from_csv(folder: Path, csv_file: Path, model: Classifier) -> list[Sample]:
    rows = _csv_rows(csv_file)
    if rows and not {"file", "label"} <= set(rows[0]):
        raise ImageError(f"{show_path(csv_file)}: needs the header 'file,label'")
    samples = []
    for line, row in enumerate(rows[1:], start=2):
        cells = dict(zip(rows[0], row))
        name = (cells.get("file") or "").strip()
        path = inside(folder, name, ImageError, f"{show_path(csv_file)} line {line}") if name else folder
        if not path.is_file():
            raise ImageError(f"{show_path(csv_file)} line {line}: no such image {show_path(folder / name)}")
        try:
            label = resolve_class((cells.get("label") or "").strip(), model.class_names)
        except ClassNameError as exc:
            raise ClassNameError(f"{show_path(csv_file)} line {line}: {exc}") from None
        samples.append(Sample(name, label, _file_loader(path)))
    return samples


def _from_gtsrb(folder: Path, model: Classifier) -> list[Sample]:
    if len(model.class_names) != GTSRB_CLASSES:
        raise ImageError(
            f"{show_path(folder)} is labelled with GTSRB's {GTSRB_CLASSES} road-sign classes; "
            f"{show_path(model.name)} has {len(model.class_names)} classes"
        )
    return [
        Sample(str(path.relative_to(folder)), label, _file_loader(path)) for path, label in gtsrb_samples(folder)
    ]


def _csv_rows(csv_file: Path) -> list[list[str]]:
    """The rows of ``labels.csv`` (header first), read bounded.

    Raises:
        ImageError: not a regular UTF-8 file under MAX_LABELS_BYTES, a field over MAX_FIELD
            characters, more than MAX_COUNT rows, or not CSV.
    """
    text = read_text(csv_file, ImageError, "labels", MAX_LABELS_BYTES)
    limit = csv.field_size_limit()
    csv.field_size_limit(MAX_FIELD)
    rows: list[list[str]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            if not row:
                continue
            if len(rows) > MAX_COUNT:
                raise ImageError(f"{show_path(csv_file)}: more than {MAX_COUNT} rows; evaluate a smaller set")
            rows.append(row)
    except csv.Error as exc:
        line = len(rows) + 1
        raise ImageError(
            f"{show_path(csv_file)} near line {line}: not CSV as expected "
            f"({exc}; fields hold at most {MAX_FIELD} characters)"
        ) from None
    finally:
        csv.field_size_limit(limit)
    return rows


def _from_names(folder: Path, model: Classifier) -> list[Sample]:
    files = []
    try:
        for p in folder.iterdir():
            if p.suffix.lower() in IMAGE_SUFFIXES:
                if len(files) >= MAX_COUNT:
                    raise ImageError(f"{show_path(folder)}: more than {MAX_COUNT} images; evaluate a smaller folder")
                files.append(p)
    except OSError as exc:
        raise ImageError(f"{show_path(folder)}: cannot list the images ({exc.strerror or exc})") from None
    files.sort()
    return [Sample(p.name, label_from_name(p.stem, model.class_names), _file_loader(p)) for p in files]


def label_from_name(stem: str, class_names: tuple[str, ...] | list[str]) -> int:
    """The class of a file name stem by the rule in this module's docstring.

    Raises:
        ClassNameError: no leading part of the stem names a class.
    """
    parts = stem.split("_")
    for end in range(len(parts), 0, -1):
        head = "_".join(parts[:end])
        if _WNID.fullmatch(head) and len(class_names) == 1000:
            wnids = _imagenet_wnids()
            if head in wnids:
                return wnids.index(head)
        try:
            return resolve_class(head, class_names)
        except ClassNameError:
            continue
    raise ClassNameError(
        f"{stem!r}: the file name starts with no class (a WordNet id, a class index or a "
        f"class name before an '_'); or give the labels in {LABELS_CSV} (file,label)"
    )


@lru_cache(maxsize=1)
def _imagenet_wnids() -> list[str]:
    rows = resource_path("imagenet_classes.tsv").read_text(encoding="utf-8").splitlines()
    return [row.split("\t")[1] for row in rows if row.strip()]
