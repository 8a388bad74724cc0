"""Model metadata (``inspector.json``): its JSON schema, and reading it with errors a user can act on.

A model file carries the metadata to say how to feed the model and how to name its outputs::

    {"input_size": [224, 224], "channels": 3, "mean": [0.485, 0.456, 0.406],
     "std": [0.229, 0.224, 0.225], "class_names": ["tench", ...], "task": "ImageNet-1k"}

Every key is optional (defaults: 224x224 RGB in [0, 1], no normalisation, class
names from the number of outputs); any other key is refused, so that a typo
does not silently fall back to a default. :data:`SCHEMA` is a JSON Schema
(draft 2020-12) and is checked with the ``jsonschema`` library; whether the
class names match the model's outputs is checked when the model is probed
(:mod:`inspector.core.probe`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from inspector.core.errors import ModelError
from inspector.core.messages import one_line

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
    "description": "a JSON object with any of the keys input_size, channels, mean, std, class_names, task",
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
        "task": {"description": "one line of text saying what the model classifies", "type": "string"},
    },
    "additionalProperties": False,
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
    """

    input_size: tuple[int, int] = (224, 224)
    channels: int = 3
    mean: tuple[float, ...] = (0.0,)
    std: tuple[float, ...] = (1.0,)
    class_names: tuple[str, ...] | None = None
    task: str = "TorchScript model"


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


def parse_metadata(text: str, where: str) -> ModelMetadata:
    """Read and check metadata; empty text gives the defaults.

    Args:
        text: the JSON text.
        where: names the metadata in messages, e.g. ``"net.pt: inspector.json"``.

    Raises:
        ModelError: the text is not JSON, or breaks :data:`SCHEMA`; the message names
            the key and says what was expected, e.g. ``net.pt: inspector.json: 'channels'
            must be 3 (RGB) or 1 (grey) ('three' is not one of [1, 3])``.
    """
    if not text.strip():
        return ModelMetadata()
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError
        raise ModelError(f"{where} is not valid JSON ({one_line(exc)})") from None
    error = best_match(_VALIDATOR.iter_errors(data))
    if error is not None:
        raise ModelError(_describe(error, where))
    defaults = ModelMetadata()
    return ModelMetadata(
        input_size=tuple(int(v) for v in data.get("input_size", defaults.input_size)),
        channels=int(data.get("channels", defaults.channels)),
        mean=_floats(data.get("mean", defaults.mean)),
        std=_floats(data.get("std", defaults.std)),
        class_names=tuple(data["class_names"]) if "class_names" in data else None,
        task=data.get("task", defaults.task),
    )


def _floats(value: float | list | tuple) -> tuple[float, ...]:
    return tuple(float(v) for v in value) if isinstance(value, (list, tuple)) else (float(value),)


def _describe(error, where: str) -> str:
    """``where: 'key' must be <the key's description> (<what jsonschema found>)``."""
    path = list(error.absolute_path)
    if not path:
        return f"{where} must be {SCHEMA['description']} ({one_line(error.message)})"
    key = path[0]
    place = repr(key) + "".join(f"[{p}]" for p in path[1:])
    return f"{where}: {place} must be {SCHEMA['properties'][key]['description']} ({one_line(error.message)})"
