"""Model metadata (``inspector.json``): its JSON schema, and reading it with errors a user can act on.

The metadata says how to feed a model and how to name its outputs; it is a
sidecar file beside the model (see :mod:`inspector.core.formats.sidecar`) or an
extra file inside a TorchScript archive::

    {"input_size": [224, 224], "channels": 3, "mean": [0.485, 0.456, 0.406],
     "std": [0.229, 0.224, 0.225], "class_names": ["tench", ...], "task": "ImageNet-1k",
     "resize": "shorter-side-crop"}

``class_names_file`` instead of ``class_names`` names a UTF-8 text file with one
class name per line (blank lines ignored), relative to the folder of the
metadata file. ``resize`` is ``"shorter-side-crop"`` (resize the shorter side to
the input size, crop the centre: the default) or ``"stretch"`` (resize the whole
image, changing its aspect ratio). Every key is optional (defaults: 224x224 RGB
in [0, 1], no normalisation, class names from the number of outputs, or what
the model file itself says); any other key is refused, so that a typo does not
silently fall back to a default. :data:`SCHEMA` is a JSON Schema
(draft 2020-12) and is checked with the ``jsonschema`` library; whether the
class names match the model's outputs is checked when the model is probed
(:mod:`inspector.core.probe`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from inspector.core.errors import ModelError
from inspector.core.image import RESIZE_RULES
from inspector.core.messages import one_line, show_path

#: The largest input side accepted, in pixels.
MAX_SIDE = 4096

def _per_channel(item: dict, lengths: tuple[int, ...]) -> dict:
    """One number, or a list of one of ``lengths`` numbers, each matching ``item``."""
    return {"anyOf": [item] + [{"type": "array", "items": item, "minItems": n, "maxItems": n} for n in lengths]}


_NUMBER = {"type": "number"}
_POSITIVE_NUMBER = {"type": "number", "exclusiveMinimum": 0}

SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Robustness Inspector model metadata",
    "description": "a JSON object with any of the keys input_size, channels, mean, std, class_names "
                   "(or class_names_file), task, resize",
    "type": "object",
    "properties": {
        "input_size": {
            "description": f"[height, width] in pixels, two whole numbers from 1 to {MAX_SIDE}",
            "type": "array", "items": {"type": "integer", "minimum": 1, "maximum": MAX_SIDE},
            "minItems": 2, "maxItems": 2,
        },
        "channels": {"description": "3 (RGB) or 1 (grey)", "enum": [1, 3]},
        "mean": {"description": "one number, or a list of one number per channel",
                 **_per_channel(_NUMBER, (1, 3))},
        "std": {"description": "one number above 0, or a list of one such number per channel",
                **_per_channel(_POSITIVE_NUMBER, (1, 3))},
        "class_names": {
            "description": "a list of at least 2 non-empty texts, one per model output, in output order",
            "type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 2,
        },
        "class_names_file": {
            "description": "the path of a text file with one class name per line, relative to this file's folder",
            "type": "string", "minLength": 1,
        },
        "task": {"description": "one line of text saying what the model classifies", "type": "string"},
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
        resize: one of :data:`~inspector.core.image.RESIZE_RULES`.
    """

    input_size: tuple[int, int] = (224, 224)
    channels: int = 3
    mean: tuple[float, ...] = (0.0,)
    std: tuple[float, ...] = (1.0,)
    class_names: tuple[str, ...] | None = None
    task: str = "model file"
    resize: str = RESIZE_RULES[0]


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def parse_metadata(text: str, where: str, *, folder: Path | None = None,
                   defaults: ModelMetadata = ModelMetadata()) -> ModelMetadata:
    """Read and check metadata; keys it lacks (all, for empty text) take their value from ``defaults``.

    Args:
        text: the JSON text.
        where: names the metadata in messages, e.g. ``"net.pt: inspector.json"``.
        folder: where ``class_names_file`` is looked up (None: the working directory).
        defaults: the values of absent keys, e.g. the input size a model file declares itself.

    Raises:
        ModelError: the text is not JSON, or breaks :data:`SCHEMA`; the message names
            the key and says what was expected, e.g. ``net.pt: inspector.json: 'channels'
            must be 3 (RGB) or 1 (grey) ('three' is not one of [1, 3])``; or its
            ``class_names_file`` is missing, unreadable or holds fewer than 2 names.
    """
    if not text.strip():
        return defaults
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise ModelError(f"{where} is not valid JSON ({one_line(exc)})") from None
    error = best_match(_VALIDATOR.iter_errors(data))
    if error is not None:
        raise ModelError(_describe(error, where))
    class_names = data.get("class_names", defaults.class_names)
    if "class_names_file" in data:
        class_names = read_class_names(Path(folder or ".") / data["class_names_file"], where)
    return ModelMetadata(
        input_size=tuple(int(v) for v in data.get("input_size", defaults.input_size)),
        channels=int(data.get("channels", defaults.channels)),
        mean=_floats(data.get("mean", defaults.mean)),
        std=_floats(data.get("std", defaults.std)),
        class_names=tuple(class_names) if class_names is not None else None,
        task=data.get("task", defaults.task),
        resize=data.get("resize", defaults.resize),
    )


def read_class_names(path: Path, where: str) -> tuple[str, ...]:
    """The class names in a text file: one per line, surrounding spaces and blank lines dropped.

    Raises:
        ModelError: the file is missing or unreadable, not UTF-8, or holds fewer than 2 names
            (the message names ``where``, the metadata that points to it, and the file).
    """
    shown = show_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelError(f"{where}: class_names_file {shown} does not exist; "
                         "give its path relative to the metadata file's folder") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelError(f"{where}: cannot read class_names_file {shown} ({one_line(exc)})") from None
    names = tuple(line.strip() for line in text.splitlines() if line.strip())
    if len(names) < 2:
        raise ModelError(f"{where}: class_names_file {shown} must hold one class name per line, "
                         f"at least 2 (it holds {len(names)})")
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
