"""Class names: loading them and resolving a class given by index or name."""

from __future__ import annotations

import difflib
import re
from functools import cache

from inspector.core.io.resources import resource_path
from inspector.core.util.errors import ClassNameError

#: A class index as text: ASCII digits (``"²"`` and ``"٣"`` are names, not indices), perhaps negative.
_INDEX = re.compile(r"-?[0-9]+", re.ASCII)
#: More digits than this cannot be a class index (and Python refuses to convert over 4,300 digits).
_MAX_INDEX_DIGITS = 18


@cache
def imagenet_classes() -> tuple[str, ...]:
    """The 1000 ImageNet-1k class names in model output order."""
    rows = resource_path("imagenet_classes.tsv").read_text(encoding="utf-8").splitlines()
    return tuple(row.split("\t")[2].strip() for row in rows if row.strip())


def default_class_names(k: int) -> tuple[str, ...]:
    """Names for a model's K outputs when it has none: the ImageNet classes for 1000, else ``class 0`` ..."""
    return imagenet_classes() if k == 1000 else tuple(f"class {i}" for i in range(k))


def _norm(name: str) -> str:
    return name.strip().lower().replace("_", " ").replace("-", " ")


def resolve_class(spec: int | str, class_names: tuple[str, ...] | list[str]) -> int:
    """Class index for ``spec``: an index (``"967"``) or a name (``"espresso"``).

    Names match case-insensitively, with ``_``, ``-`` and spaces alike.

    Raises:
        ClassNameError: the index is out of range, or the name matches no class
            or several (the message lists the candidates).
    """
    n = len(class_names)
    text = str(spec).strip()
    if _INDEX.fullmatch(text):
        index = int(text) if len(text) <= _MAX_INDEX_DIGITS else None
        if index is None or not 0 <= index < n:
            shown = text if index is not None else f"{text[:12]}... ({len(text)} digits)"
            raise ClassNameError(f"class index {shown} is out of range: this model has classes 0..{n - 1}")
        return index
    wanted = _norm(text)
    matches = [i for i, name in enumerate(class_names) if _norm(name) == wanted]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        listed = ", ".join(str(i) for i in matches)
        raise ClassNameError(f"class name {text!r} is ambiguous (indices {listed}); give the index instead")
    close = difflib.get_close_matches(wanted, [_norm(c) for c in class_names], n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise ClassNameError(f"no class named {text!r}{hint}")
