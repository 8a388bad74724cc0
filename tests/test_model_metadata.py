"""The inspector.json schema: valid metadata is read with its defaults, bad metadata named precisely."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator

from inspector.core.models.metadata import SCHEMA, ModelMetadata, parse_metadata
from inspector.core.util.errors import ModelError


def test_the_schema_is_a_valid_json_schema():
    Draft202012Validator.check_schema(SCHEMA)


def test_empty_metadata_gives_the_defaults():
    assert parse_metadata("", "m.pt: inspector.json") == ModelMetadata()
    assert parse_metadata("{}", "m.pt: inspector.json") == ModelMetadata()


def test_full_metadata_is_read():
    text = json.dumps(
        {
            "input_size": [32, 48.0],
            "channels": 3,
            "mean": [0.4, 0.5, 0.6],
            "std": 0.25,
            "class_names": ["cat", "dog"],
            "task": "pets",
        }
    )
    meta = parse_metadata(text, "m.pt: inspector.json")
    assert meta == ModelMetadata(
        input_size=(32, 48), channels=3, mean=(0.4, 0.5, 0.6), std=(0.25,), class_names=("cat", "dog"), task="pets"
    )
    assert isinstance(meta.input_size[1], int)


@pytest.mark.parametrize(
    "meta, message",
    [
        ({"channels": 1, "mean": [0.1, 0.2, 0.3]}, "m.pt: inspector.json: 'mean' must be one number, or a list of one"),
        ({"channels": 1, "std": [0.5]}, None),
        ({"channels": True}, "'channels' must be 3 (RGB) or 1 (grey) (True is not one of [1, 3])"),
        ({"input_size": [28, 0]}, "'input_size'[1] must be [height, width]"),
        ({"class_names": ["cat"]}, "'class_names' must be a list of at least 2"),
        ({"class_names": ["cat", ""]}, "'class_names'[1] must be a list of at least 2 non-empty texts"),
        ({"task": 3}, "'task' must be one line of text"),
    ],
)
def test_values_are_checked_against_the_channels_and_each_other(meta, message):
    if message is None:
        assert parse_metadata(json.dumps(meta), "m.pt: inspector.json").std == (0.5,)
        return
    with pytest.raises(ModelError) as info:
        parse_metadata(json.dumps(meta), "m.pt: inspector.json")
    assert message in str(info.value) and "\n" not in str(info.value)


def test_a_long_wrong_value_is_cut_to_a_readable_message():
    with pytest.raises(ModelError) as info:
        parse_metadata(json.dumps({"class_names": "x" * 5000}), "m.pt: inspector.json")
    assert len(str(info.value)) < 400
