"""A physical attack's ``result.json`` read back and run again: the same sticker, byte for byte.

``inspector physical KIND --out DIR`` writes ``DIR/result.json``, whose ``recipe`` is the whole
:class:`~inspector.core.physical.job.PhysicalJob` as run (attack and parameters, views, target,
mask, image folders as given, model, device, CPU thread count, print size), beside the pattern it
made (``pattern_file``: ``sticker.png`` or ``perturbation.png``). The attacks draw every random
number from generators seeded by their ``seed``, so on the same device, versions and thread count
the replay makes the same PNG bytes.

Like the other saved runs (:mod:`inspector.core.replay.source`) the file is untrusted: every
recipe field is checked for its type and range, then the attack's and the views' parameters and
the print size by their own checks, before a model is loaded. The file compared with is always
the one beside ``result.json``, named by ``pattern_file`` only if it is one of those two names;
paths of image folders and a mask are read as given (relative ones from the current folder, or
else from the file's folder), and nothing is written but where the command line says.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from inspector.core.defenses import defense_from_spec
from inspector.core.io.file_fields import (
    Field,
    boolean,
    check_fields,
    device,
    either,
    optional,
    params,
    real,
    text,
    texts,
    whole,
)
from inspector.core.io.image import MAX_PIXELS
from inspector.core.io.untrusted import read_bytes
from inspector.core.physical import PHYSICAL_ATTACKS
from inspector.core.physical.job import PERTURBATION, STICKER, PhysicalJob, prepare
from inspector.core.physical.print_page import MAX_DPI, MAX_WIDTH_MM, MIN_DPI, check_print
from inspector.core.physical.result import PhysicalResult
from inspector.core.physical.views import Views
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.errors import InspectorError, RecipeError
from inspector.core.util.messages import show_path
from inspector.core.util.params import build
from inspector.core.util.threads import MAX_THREADS

#: The largest saved pattern PNG read to compare with, in bytes.
MAX_PATTERN_BYTES = 16 * 2**20


def _between(low: float, high: float, *, above: bool = False) -> Field:
    """A finite number from ``low`` (or strictly above it) to ``high``."""
    finite = real()
    return Field(
        f"a number {'above' if above else 'from'} {low:g} {'and at most' if above else 'to'} {high:g}",
        lambda v: finite.accepts(v) and (v > low if above else v >= low) and v <= high,
    )


_RECIPE = {
    "kind": text(64, what="a physical attack's name"),
    "images": text(what="the path of a folder of images"),
    "held_out": optional(text(what="the path of a folder of images")),
    "model": optional(text(what="a model name or file path")),
    # the architecture's weights file, read by the weights-only loaders; ``trust_code`` is never read from a file
    "weights": optional(text(what="the path of a weights file")),
    "params": params(),
    "views": params(),
    "target": optional(either(whole(0, MAX_COUNT), text(256, what="a class name"))),
    "mask": optional(text(what="the path of a mask image")),
    "wider": _between(1.0, 4.0),
    "views_per_image": whole(1, 10_000),
    "device": optional(device()),
    "threads": optional(whole(1, MAX_THREADS)),
    "print_mm": optional(_between(0.0, MAX_WIDTH_MM, above=True)),
    "dpi": whole(MIN_DPI, MAX_DPI),
    "defenses": texts(),
    "adaptive": boolean(),
}
#: The names a result's ``pattern_file`` may give: the files a physical attack writes.
PATTERN_FILES = (STICKER, PERTURBATION)


@dataclass
class PhysicalSource:
    """A physical attack run to replay.

    Attributes:
        path: the file read.
        job: the run's job, checked (relative folders resolved as the replay reads them).
        saved: the saved pattern beside the file to compare with; None: none there.
    """

    path: Path
    job: PhysicalJob
    saved: Path | None


def is_physical(data: Any) -> bool:
    """Whether ``data`` (parsed JSON) has the shape of ``inspector physical``'s result: a ``recipe``
    naming a physical attack's ``kind`` (an evasion recipe names an ``attack`` and an ``image``)."""
    recipe = data.get("recipe") if isinstance(data, dict) else None
    return isinstance(recipe, dict) and "kind" in recipe and "image" not in recipe


def read_physical(path: Path, data: Any) -> PhysicalSource:
    """The physical job ``data`` (parsed from ``path``) records, checked.

    Raises:
        RecipeError: not a physical attack's result, a ``pattern_file`` other than
            :data:`PATTERN_FILES`, a recipe field of the wrong type or out of range, an unknown
            attack, a bad parameter, view range, defence or print size (the message names the file and field).
    """
    if not is_physical(data):
        raise RecipeError(f"{show_path(path)}: not a physical attack's result")
    name = data.get("pattern_file", STICKER)
    if name not in PATTERN_FILES:
        raise RecipeError(
            f"{show_path(path)}: 'pattern_file' must be {' or '.join(PATTERN_FILES)} (the file beside it), "
            f"not {show_path(str(name))}"
        )
    where = f"{show_path(path)}: the physical recipe"
    values = check_fields(data["recipe"], _RECIPE, where, RecipeError, required=("kind", "images"))
    if isinstance(values.get("target"), int):
        values["target"] = str(values["target"])
    try:
        PHYSICAL_ATTACKS.make(values["kind"], values.get("params", {}))
        build(Views, values.get("views", {}), "views")
        for spec in values.get("defenses", []):
            defense_from_spec(spec)
        if values.get("print_mm") is not None:
            check_print(values["print_mm"], values.get("dpi", MIN_DPI), (1, 1))
    except InspectorError as exc:  # what the attack's, the views' and the print's own checks refuse
        raise RecipeError(f"{where}: {exc}") from None
    for key in ("images", "held_out", "mask", "weights"):
        if values.get(key) is not None:
            values[key] = _from_folder_of(path, values[key])
    saved = path.parent / name
    return PhysicalSource(path, PhysicalJob(**values), saved if saved.is_file() else None)


def _from_folder_of(path: Path, given: str) -> str:
    """``given`` as read: relative to the current folder, or else to the recipe's folder if it is there."""
    if not os.path.isabs(given) and not os.path.exists(given) and (path.parent / given).exists():
        return str(path.parent / given)
    return given


@dataclass
class PhysicalReplay:
    """The replayed run and how its pattern compares with the saved one.

    Attributes:
        result: the replayed pattern. summary: its summary (as ``result.json`` holds it).
        saved: the saved pattern compared with; None: there was none.
        same_bytes: the replay's PNG has the saved file's bytes.
        values: 8-bit values compared (H*W*4, RGBA); ``differing`` of them differ (all of them
            for a different size or a file that does not decode).
    """

    result: PhysicalResult
    summary: dict
    saved: Path | None
    same_bytes: bool = False
    values: int = 0
    differing: int = 0

    @property
    def matched(self) -> bool | None:
        """True: the same bytes; False: they differ; None: nothing saved to compare with."""
        return None if self.saved is None else self.same_bytes

    def describe(self) -> str:
        """One line saying how the replay compares."""
        if self.saved is None:
            return f"no saved {' or '.join(PATTERN_FILES)} beside the result to compare with"
        if self.same_bytes:
            return f"the pattern's PNG bytes match {show_path(self.saved)}"
        return (
            f"the replay differs from {show_path(self.saved)}: {self.differing} of {self.values} RGBA values; "
            "a run replays exactly only on the same device with the same versions"
        )


def replay_physical(source: PhysicalSource, on_step=None, should_stop=None) -> PhysicalReplay:
    """Run ``source``'s job again (with its recorded thread count) and compare the patterns' PNG bytes.

    Raises:
        RecipeError: the saved pattern is larger than :data:`MAX_PATTERN_BYTES` or not a regular file.
        ParameterError, ClassNameError, ImageError, ModelError: as :func:`~inspector.core.physical.job.prepare`.
    """
    result, summary = prepare(source.job).execute(on_step=on_step, should_stop=should_stop)
    replay = PhysicalReplay(result, summary, source.saved)
    if source.saved is None:
        return replay
    saved = read_bytes(source.saved, RecipeError, "saved pattern", MAX_PATTERN_BYTES)
    image = result.rgba()
    made = io.BytesIO()
    image.save(made, format="PNG")
    replay.same_bytes = made.getvalue() == saved
    ours = np.asarray(image)
    replay.values = ours.size
    replay.differing = 0 if replay.same_bytes else _differing(ours, saved)
    return replay


def _differing(ours: np.ndarray, saved: bytes) -> int:
    """How many RGBA values of ``ours`` differ from the PNG ``saved`` (all, if it does not decode to that size)."""
    try:
        with Image.open(io.BytesIO(saved)) as im:
            if im.width * im.height > MAX_PIXELS:
                return ours.size
            theirs = np.asarray(im.convert("RGBA"))
    except (OSError, ValueError, Image.DecompressionBombError):
        return ours.size
    return ours.size if theirs.shape != ours.shape else int((theirs != ours).sum())
