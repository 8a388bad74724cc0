"""What loading an image for a model does to it, in one line: a colour photo fed to a digit
model is turned grey and shrunk to 28x28, which the user should be told rather than find out.

Only a change of colour is reported (colour to grey, or grey to colour), with the sizes and the
resize rule; a photo resized for a photo model is the ordinary case and says nothing.
"""

from __future__ import annotations

#: Pillow modes whose pixels are grey levels (with or without alpha, at any depth).
GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "I;16N", "F"})

#: How each resize rule (see :func:`inspector.core.io.image.preprocess`) reads.
RESIZE_WORDS = {"shorter-side-crop": "shorter side resized, centre cropped", "stretch": "stretched"}


def conversion_note(
    mode: str, size: tuple[int, int], channels: int, input_size: tuple[int, int], resize: str
) -> str | None:
    """The conversion of an image of Pillow ``mode`` and ``size`` (W, H) for a model taking
    ``channels`` (1 or 3) at ``input_size`` (H, W) with the rule ``resize``:
    ``"converted: colour 640x480 -> grey 28x28 (shorter side resized, centre cropped)"``;
    None where the colour stays (grey for a grey model, colour for a colour one)."""
    grey = mode in GREY_MODES
    if grey == (channels == 1):
        return None
    height, width = input_size
    source, target = ("grey", "colour") if grey else ("colour", "grey")
    how = "" if size == (width, height) else f" ({RESIZE_WORDS.get(resize, resize)})"
    return f"converted: {source} {size[0]}x{size[1]} \u2192 {target} {width}x{height}{how}"
