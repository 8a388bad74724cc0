"""The optional parts of the tool, installed as pip extras, and the one way to reach them.

``pip install -e .`` installs what the app needs to classify and attack; an extra adds a heavy
part few use. The table :data:`EXTRAS` mirrors ``[project.optional-dependencies]`` in
pyproject.toml (a test checks that they agree).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from inspector.core.util.errors import InspectorError


@dataclass(frozen=True)
class Extra:
    """One extra: the modules it installs and what needs them.

    Attributes:
        modules: the importable modules it brings (each also its pip package's name).
        needed_by: the subject of the message when one is missing (``"ONNX model files need"``).
    """

    modules: tuple[str, ...]
    needed_by: str


#: The extras, by name.
EXTRAS = {
    "privacy": Extra(("opacus",), "DP-SGD training (inspector train dp) needs"),
    "ray": Extra(("ray",), "Spreading an evaluation over Ray workers (--ray) needs"),
}


def require_extra(name: str) -> None:
    """Import every module of the extra ``name`` (a key of :data:`EXTRAS`), or say how to install it.

    Raises:
        InspectorError: one of its modules is not installed; one line naming the extra and the
            pip command that installs it.
    """
    extra = EXTRAS[name]
    for module in extra.modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise InspectorError(
                f'{extra.needed_by} the {name} extra: pip install "robustness-inspector[{name}]"'
            ) from exc
