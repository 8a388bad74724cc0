"""Model metadata (``inspector.json``): its JSON schema, and reading it with errors a user can act on.

The metadata says how to feed a model and how to name its outputs; it is a
sidecar file beside the model (see :mod:`inspector.core.models.formats.sidecar`) or an
extra file inside a TorchScript archive::

    {"input_size": [224, 224], "channels": 3, "mean": [0.485, 0.456, 0.406],
     "std": [0.229, 0.224, 0.225], "class_names": ["tench", ...], "task": "ImageNet-1k",
     "resize": "shorter-side-crop"}

``class_names_file`` instead of ``class_names`` names a UTF-8 text file with one
class name per line (blank lines ignored), relative to the folder of the
metadata file and inside it (not an absolute path, not ``..``, not a symbolic
link out of it), a regular file of at most :data:`MAX_NAMES_FILE_BYTES`.
Metadata may come from an attacker (a model someone sent): it is parsed with
bounded nesting, and holds at most :data:`~inspector.core.util.bounds.MAX_COUNT`
class names of at most :data:`MAX_NAME_LENGTH` characters each. ``resize`` is ``"shorter-side-crop"`` (resize the shorter side to
the input size, crop the centre: the default) or ``"stretch"`` (resize the whole
image, changing its aspect ratio). Every key is optional (defaults: 224x224 RGB
in [0, 1], no normalisation, class names from the number of outputs, or what
the model file itself says); any other key is refused, so that a typo does not
silently fall back to a default. :data:`SCHEMA` is a JSON Schema
(draft 2020-12) and is checked with the ``jsonschema`` library; whether the
class names match the model's outputs is checked when the model is probed
(:mod:`inspector.core.models.probe`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from inspector.core.io.image import RESIZE_RULES
from inspector.core.io.untrusted import inside, parse_json, read_text
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import one_line, show_path

#: The largest input side accepted, in pixels.
MAX_SIDE = 4096
#: The longest class name and task text accepted, in characters.
MAX_NAME_LENGTH = 256
#: The largest class names file read, in bytes (ImageNet-21k's names take about 0.5 MB).
MAX_NAMES_FILE_BYTES = 4 * 2**20


def _per_channel(item: dict, lengths: tuple[int, ...]) -> dict:
    """One number, or a list of one of ``lengths`` numbers, each matching ``item``."""
    return {"anyOf": [item] + [{"type": "array", "items": item, "minItems": n, "maxItems": n} for n in lengths]}


_NUMBER = {"type": "number"}
_POSITIVE_NUMBER = {"type": "number", "exclusiveMinimum": 0}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Robustness Inspector model metadata",
    "description": "a JSON object with any of the keys input_size, channels, mean, std, class_names "
    "(or class_names_file), task, resize",
    "type": "object",
    "properties": {
        "input_size": {
            "description": f"[height, width] in pixels, two whole numbers from 1 to {MAX_SIDE}",
            "type": "array",
            "items": {"type": "integer", "minimum": 1, "maximum": MAX_SIDE},
            "minItems": 2,
            "maxItems": 2,
        },
        "channels": {"description": "3 (RGB) or 1 (grey)", "enum": [1, 3]},
        "mean": {"description": "one number, or a list of one number per channel", **_per_channel(_NUMBER, (1, 3))},
        "std": {
            "description": "one number above 0, or a list of one such number per channel",
            **_per_channel(_POSITIVE_NUMBER, (1, 3)),
        },
        "class_names": {
            "description": f"a list of at least 2 non-empty texts (at most {MAX_COUNT:,}, each of at most "
            f"{MAX_NAME_LENGTH} characters), one per model output, in output order",
            "type": "array",
            "items": {"type": "string", "minLength": 1, "maxLength": MAX_NAME_LENGTH},
            "minItems": 2,
            "maxItems": MAX_COUNT,
        },
        "class_names_file": {
            "description": "the path of a text file with one class name per line, relative to this file's folder "
            "and inside it",
            "type": "string",
            "minLength": 1,
            "maxLength": 4096,
        },
        "task": {
            "description": f"one line of text saying what the model classifies (at most {MAX_NAME_LENGTH} characters)",
            "type": "string",
            "maxLength": MAX_NAME_LENGTH,
        },
        "resize": {"description": " or ".join(repr(r) for r in RESIZE_RULES), "enum": list(RESIZE_RULES)},
    },
    "additionalProperties": False,
    "not": {"required": ["class_names", "class_names_file"]},
    # a grey model takes one mean and one std
    "if": {"properties": {"channels": {"const": 1}}, "required": ["channels"]},
    "then": {"properties": {"mean": _per_channel(_NUMBER, (1,)), "std": _per_channel(_POSITIVE_NUMBER, (1,))}},
}

_VALIDATOR = Draft202012Validator(SCHEMA)


@dataclass(frozen=True)
class ModelMetadata:
    """What :data:`SCHEMA` describes, with its defaults filled in.

    Attributes:
        input_size: (H, W) in pixels, each in 1..MAX_SIDE.
        channels: 3 (RGB) or 1 (grey).
        mean, std: per channel (1 or ``channels`` values); pixels in [0, 1] are fed as (x - mean) / std.
        class_names: K names in output order, or None to name them from the number of outputs.
        task: one line saying what the model classifies.
        resize: one of :data:`~inspector.core.io.image.RESIZE_RULES`.
    """

    input_size: tuple[int, int] = (224, 224)
    channels: int = 3
    mean: tuple[float, ...] = (0.0,)
    std: tuple[float, ...] = (1.0,)
    class_names: tuple[str, ...] | None = None
    task: str = "model file"
    resize: str = RESIZE_RULES[0]


def parse_metadata(
    text: str, where: str, *, folder: Path | None = None, defaults: ModelMetadata = ModelMetadata()
) -> ModelMetadata:
    """Read and check metadata; keys it lacks (all, for empty text) take their value from ``defaults``.

    Args:
        text: the JSON text.
        where: names the metadata in messages, e.g. ``"net.pt: inspector.json"``.
        folder: where ``class_names_file`` is looked up (None: the working directory).
        defaults: the values of absent keys, e.g. the input size a model file declares itself.

    Raises:
        ModelError: the text is not JSON, or breaks :data:`SCHEMA`; the message names
            the key and says what was expected, e.g. ``net.pt: inspector.json: 'channels'
            must be 3 (RGB) or 1 (grey) ('three' is not one of [1, 3])``; or it is nested
            too deeply; or its ``class_names_file`` is outside ``folder``, missing, not a
            regular file, too large, not UTF-8, or holds fewer than 2 or too many names.
    """
    if not text.strip():
        return defaults
    data = parse_json(text, where, ModelError)
    error = best_match(_VALIDATOR.iter_errors(data))
    if error is not None:
        raise ModelError(_describe(error, where))
    class_names = data.get("class_names", defaults.class_names)
    if "class_names_file" in data:
        class_names = read_class_names(Path(folder or "."), data["class_names_file"], where)
    height, width = data.get("input_size", defaults.input_size)  # the schema allows two
    return ModelMetadata(
        input_size=(int(height), int(width)),
        channels=int(data.get("channels", defaults.channels)),
        mean=_floats(data.get("mean", defaults.mean)),
        std=_floats(data.get("std", defaults.std)),
        class_names=tuple(class_names) if class_names is not None else None,
        task=data.get("task", defaults.task),
        resize=data.get("resize", defaults.resize),
    )


def read_class_names(folder: Path, relative: str, where: str) -> tuple[str, ...]:
    """The class names in the text file ``relative`` inside ``folder``: one per line, surrounding
    spaces and blank lines dropped.

    Raises:
        ModelError: the path leads outside ``folder`` (absolute, ``..``, a symbolic link out); the
            file is missing, not a regular file (a FIFO, a device), over :data:`MAX_NAMES_FILE_BYTES`
            or not UTF-8; or it holds fewer than 2 names, more than ``MAX_COUNT``, or a name over
            :data:`MAX_NAME_LENGTH` characters (the message names ``where``, the metadata that
            points to it, and the file).
    """
    what = f"{where}: class_names_file"
    path = inside(folder, relative, ModelError, what)
    shown = show_path(Path(folder) / relative)
    if not path.exists() and not path.is_symlink():
        raise ModelError(f"{what} {shown} does not exist; give its path relative to the metadata file's folder")
    try:
        text = read_text(path, ModelError, "class names", MAX_NAMES_FILE_BYTES)
    except ModelError as exc:
        raise ModelError(f"{what}: {exc}") from None
    names = tuple(line.strip() for line in text.splitlines() if line.strip())
    if len(names) < 2:
        raise ModelError(f"{what} {shown} must hold one class name per line, at least 2 (it holds {len(names)})")
    if len(names) > MAX_COUNT:
        raise ModelError(f"{what} {shown} holds {len(names):,} class names; at most {MAX_COUNT:,} are accepted")
    longest = max(len(name) for name in names)
    if longest > MAX_NAME_LENGTH:
        raise ModelError(
            f"{what} {shown} holds a class name of {longest:,} characters; at most {MAX_NAME_LENGTH} are accepted"
        )
    return names


def _floats(value: float | list | tuple) -> tuple[float, ...]:
    return tuple(float(v) for v in value) if isinstance(value, (list, tuple)) else (float(value),)


def _describe(error, where: str) -> str:
    """``where: 'key' must be <the key's description> (<what jsonschema found>)``."""
    path = list(error.absolute_path)
    if not path and error.validator == "not":
        return f"{where}: give class_names or class_names_file, not both"
    if not path:
        return f"{where} must be {SCHEMA['description']} ({one_line(error.message)})"
    key = path[0]
    place = repr(key) + "".join(f"[{p}]" for p in path[1:])
    return f"{where}: {place} must be {SCHEMA['properties'][key]['description']} ({one_line(error.message)})"
