"""The output folder of a stealing run: its state for resuming, ``steal.json`` and ``curve.png``.

``steal-state.pt`` holds what was paid for (the queried pool indices and the
victim's answers), the copy and the sampler, written atomically after each
round of queries and each finished budget; ``steal.json`` and ``curve.png``
are rewritten after each finished budget. A folder holding a run of another
configuration is refused, and one holding any run needs ``resume``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import torch

from inspector.core.errors import ExportError, ParameterError
from inspector.core.files import write_atomically
from inspector.core.messages import one_line, show_path
from inspector.core.privacy.plots import agreement_plot

STATE = "steal-state.pt"
RESULT = "steal.json"
CURVE = "curve.png"


class RunFolder:
    """``path`` made if missing; ``config`` (a JSON-able dict) must match the run already there.

    Raises:
        ParameterError: the folder holds a run and ``resume`` is False, or a run of another configuration.
        ExportError: the folder cannot be made.
    """

    def __init__(self, path: str | Path, config: dict, resume: bool):
        self.path = Path(path)
        self.config = config
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot make the folder {show_path(self.path)}: {exc.strerror or exc}") from None
        if self.has_state():
            if not resume:
                raise ParameterError(f"{show_path(self.path)} holds a stealing run: continue it with --resume, "
                                     "or choose another folder")
            if self.load_state()["config"] != config:
                raise ParameterError(f"{show_path(self.path)} holds a stealing run of other settings: "
                                     "choose another folder")

    def has_state(self) -> bool:
        return (self.path / STATE).is_file()

    def load_state(self) -> dict:
        try:
            state = torch.load(self.path / STATE, map_location="cpu", weights_only=True)
            state["config"] = json.loads(state["config"])
            state["rows"] = json.loads(state["rows"])
            return state
        except Exception as exc:  # pickle, key and JSON errors have no common base
            raise ParameterError(f"{show_path(self.path / STATE)}: unreadable ({one_line(exc)}); "
                                 "delete it to start afresh") from None

    def save_state(self, state: dict) -> None:
        data = dict(state, config=json.dumps(self.config), rows=json.dumps(state["rows"]))
        buffer = io.BytesIO()
        torch.save(data, buffer)
        write_atomically(self.path / STATE, lambda fh: fh.write(buffer.getvalue()))

    def write_result(self, result: dict) -> None:
        text = json.dumps(result, indent=2) + "\n"
        write_atomically(self.path / RESULT, lambda fh: fh.write(text.encode("utf-8")))
        image = agreement_plot([result])
        write_atomically(self.path / CURVE, lambda fh: image.save(fh, format="PNG"))

