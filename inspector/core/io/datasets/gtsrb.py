"""GTSRB road signs as arrays (Stallkamp, Schlipsing, Salmen and Igel 2012, "Man vs. computer:
benchmarking machine learning algorithms for traffic sign recognition", Neural Networks 32).

The product never ships GTSRB photos; the road-sign models are trained from a copy the
developer has: ``train.npz`` and ``test.npz`` holding ``images`` uint8 (N, 32, 32, 3) and
``labels`` uint8 (N,) in the benchmark's class order.

The training images come in the benchmark's order: by class, then by track (about 15 frames
of one physical sign each). The validation split is the last tenth of each class's images, so
it holds whole tracks the network never trained on rather than neighbouring frames of them.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import torch

from inspector.core.util.errors import ImageError
from inspector.core.util.messages import one_line, show_path

#: The fraction of each class's training images held out for validation.
VALIDATION_FRACTION = 0.1
#: GTSRB's number of classes.
NUM_CLASSES = 43
#: The most images an ``.npz`` file may hold (GTSRB has 51,839 in all).
MAX_IMAGES = 100_000


def load_npz(path: str | os.PathLike) -> tuple[torch.Tensor, torch.Tensor]:
    """x (N, 3, 32, 32) float32 in [0, 1] and y (N,) int64 from a GTSRB ``.npz`` file.

    Read without pickle (``allow_pickle=False``).

    Raises:
        ImageError: the file is missing or unreadable, or its arrays are not N uint8 32x32 RGB
            images with N labels below 43, for N from 1 to :data:`MAX_IMAGES`.
    """
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as data:
            images, labels = data["images"], data["labels"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ImageError(f"{show_path(path)}: not a GTSRB array file ({one_line(exc)})") from None
    n = len(labels)
    if not (
        images.dtype == np.uint8
        and images.shape == (n, 32, 32, 3)
        and labels.ndim == 1
        and 0 < n <= MAX_IMAGES
        and int(labels.max()) < NUM_CLASSES
    ):
        raise ImageError(f"{show_path(path)}: expected N uint8 32x32 RGB images and N labels below 43")
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float().div_(255)
    return x.contiguous(), torch.from_numpy(labels.astype(np.int64))


def train_validation_split(
    x: torch.Tensor, y: torch.Tensor, fraction: float = VALIDATION_FRACTION
) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """``{"train": (x, y), "validation": (x, y)}``: the last ``fraction`` of each class's images
    (in file order, so whole tracks) held out; x (N, C, H, W), y (N,)."""
    held = torch.zeros(len(y), dtype=torch.bool)
    for label in y.unique():
        index = (y == label).nonzero().squeeze(1)
        held[index[len(index) - max(1, round(fraction * len(index))) :]] = True
    return {"train": (x[~held], y[~held]), "validation": (x[held], y[held])}


#: GTSRB's annotation files: ``GT-<anything>.csv``, ``;``-separated, with ``Filename`` and ``ClassId`` columns.
ANNOTATION_GLOB = "GT-*.csv"
#: The largest annotation file read, in bytes (the official test set's is 500 KB).
MAX_ANNOTATION_BYTES = 16 * 2**20


def is_gtsrb_folder(folder: Path) -> bool:
    """Whether ``folder`` has GTSRB's layout: a ``GT-*.csv`` in it, or in its class subfolders
    (``Final_Training/Images/00014/GT-00014.csv``)."""
    return bool(_annotation_files(folder))


def _annotation_files(folder: Path) -> list[Path]:
    files = sorted(folder.glob(ANNOTATION_GLOB))
    if files:
        return files
    subfolders = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())[: NUM_CLASSES + 1]
    return [f for sub in subfolders for f in sorted(sub.glob(ANNOTATION_GLOB))]


def gtsrb_samples(folder: str | os.PathLike) -> list[tuple[Path, int]]:
    """(image path, class index) for every row of the ``GT-*.csv`` files of a GTSRB folder, in file order.

    The photos are taken whole (GTSRB's crops hold a 10 % margin around the sign, as the
    shipped road-sign models were trained); the region-of-interest columns are not used.

    Raises:
        ImageError: no annotation file; one that is not a regular UTF-8 file under
            :data:`MAX_ANNOTATION_BYTES` or lacks ``Filename`` and ``ClassId``; a row naming a
            file outside its folder, a missing file or a class outside 0-42; more than
            :data:`~inspector.core.util.bounds.MAX_COUNT` rows in all.
    """
    from inspector.core.io.untrusted import inside, read_text
    from inspector.core.util.bounds import MAX_COUNT

    folder = Path(folder)
    samples: list[tuple[Path, int]] = []
    for annotation_file in _annotation_files(folder):
        lines = read_text(annotation_file, ImageError, "GTSRB annotation", MAX_ANNOTATION_BYTES).splitlines()
        header = lines[0].split(";") if lines else []
        if "Filename" not in header or "ClassId" not in header:
            raise ImageError(f"{show_path(annotation_file)}: needs GTSRB's header with 'Filename' and 'ClassId'")
        name_at, class_at = header.index("Filename"), header.index("ClassId")
        for number, line in enumerate(lines[1:], start=2):
            if not line.strip():
                continue
            where = f"{show_path(annotation_file)} line {number}"
            cells = line.split(";")
            if len(cells) != len(header):
                raise ImageError(f"{where}: {len(cells)} fields, the header has {len(header)}")
            path = inside(annotation_file.parent, cells[name_at].strip(), ImageError, where)
            label = cells[class_at].strip()
            if not (label.isdigit() and int(label) < NUM_CLASSES):
                raise ImageError(f"{where}: ClassId {one_line(label, 20)!r} is not a class from 0 to 42")
            if not path.is_file():
                raise ImageError(f"{where}: no such image {show_path(path)}")
            if len(samples) >= MAX_COUNT:
                raise ImageError(f"{show_path(folder)}: more than {MAX_COUNT} images; evaluate a smaller set")
            samples.append((path, int(label)))
    return samples
