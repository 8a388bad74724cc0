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
import os
from pathlib import Path

import torch

from inspector.core.io.files import write_atomically
from inspector.core.io.out_folder import check_folder, check_member, read_member
from inspector.core.io.untrusted import parse_json
from inspector.core.privacy.plots import agreement_plot
from inspector.core.util.errors import ExportError, ParameterError
from inspector.core.util.messages import one_line, show_path

STATE = "steal-state.pt"
RESULT = "steal.json"
CURVE = "curve.png"
#: The largest state read back, in bytes (the copy, the sampler and the answers are a few MB).
MAX_STATE_BYTES = 256 * 2**20


def copy_name(budget: int) -> str:
    """The file name of the copy stolen at ``budget`` queries."""
    return f"copy-{budget}.pt2"


def check_run_folder(path: str | os.PathLike, budgets: list[int], resume: bool) -> None:
    """Before any work: ``path`` can be written, none of the files a run writes there (state,
    result, curve, each budget's copy and its sidecar) is a symbolic link, a hard link or not a
    regular file, and with ``resume`` it holds a run to continue. Creates nothing.

    Raises:
        ExportError: it cannot be written or created, or a member is refused.
        ParameterError: ``resume`` and no run there (as ``evaluate --resume`` on a folder without one).
    """
    names = [STATE, RESULT, CURVE]
    for budget in budgets:
        names += [copy_name(budget), copy_name(budget) + ".inspector.json"]
    check_folder(path, names)
    if resume and check_member(Path(path) / STATE) is None:
        raise ParameterError(f"{show_path(path)}: no stealing run to resume here (no {STATE})")


class RunFolder:
    """``path`` made if missing; ``config`` (a JSON-able dict) must match the run already there.

    Raises:
        ParameterError: the folder holds a run and ``resume`` is False, or a run of another configuration,
            or ``resume`` and it holds no run; its state is malformed.
        ExportError: the folder cannot be made, or a member is a symbolic link, a hard link or
            not a regular file.
    """

    def __init__(self, path: str | Path, config: dict, resume: bool):
        self.path = Path(path)
        self.config = config
        check_run_folder(self.path, list(config.get("budgets", [])), resume)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot make the folder {show_path(self.path)}: {exc.strerror or exc}") from None
        if self.has_state():
            if not resume:
                raise ParameterError(
                    f"{show_path(self.path)} holds a stealing run: continue it with --resume, or choose another folder"
                )
            if self.load_state()["config"] != config:
                raise ParameterError(
                    f"{show_path(self.path)} holds a stealing run of other settings: choose another folder"
                )

    def has_state(self) -> bool:
        """Whether the folder holds a state. Raises ExportError where a link or non-regular file stands for it."""
        return check_member(self.path / STATE) is not None

    def load_state(self) -> dict:
        """The state saved in the folder: read bounded, never through a link, with torch's weights-only
        loader; its ``config`` and ``rows`` parsed and checked for type.

        Raises:
            ParameterError: unreadable, too big, or malformed.
            ExportError: a symbolic link, a hard link or not a regular file.
        """
        path = self.path / STATE
        check_member(path)
        data = read_member(path, ParameterError, "stealing state", MAX_STATE_BYTES)
        try:
            state = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
        except Exception as exc:  # pickle and zip errors have no common base
            raise _malformed(path, one_line(exc)) from None
        if not isinstance(state, dict) or not all(
            k in state for k in ("config", "rows", "indices", "answers", "copy", "sampler")
        ):
            raise _malformed(path, "not a stealing state")
        if not isinstance(state["config"], str) or not isinstance(state["rows"], str):
            raise _malformed(path, "its config and rows must be JSON text")
        state["config"] = parse_json(state["config"], f"{show_path(path)} config", ParameterError)
        state["rows"] = parse_json(state["rows"], f"{show_path(path)} rows", ParameterError)
        rows = state["rows"]
        budgets = self.config.get("budgets", [])
        if not isinstance(rows, list) or len(rows) > len(budgets) or not all(_is_row(r, budgets) for r in rows):
            raise _malformed(path, "its rows are not the finished budgets of this run")
        return state

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


def _is_row(row, budgets: list[int]) -> bool:
    """Whether ``row`` is a finished budget's row as :func:`inspector.core.privacy.stealing.steal` writes it."""
    if not isinstance(row, dict) or row.get("budget") not in budgets or type(row.get("budget")) is not int:
        return False
    if type(row.get("queries")) is not int or not _is_number(row.get("seconds")):
        return False
    if not (row.get("model") is None or row.get("model") == copy_name(row["budget"])):
        return False
    rates = [row.get("agreement"), row.get("accuracy")] + [
        row.get(k) for k in ("transfer", "white_box") if row.get(k) is not None
    ]
    return all(
        isinstance(r, dict) and all(_is_number(r.get(k)) for k in ("rate", "low", "high")) and type(r.get("n")) is int
        for r in rates
    )


def _is_number(value) -> bool:
    return type(value) in (int, float)


def _malformed(path: Path, why: str) -> ParameterError:
    return ParameterError(f"{show_path(path)}: unreadable ({why}); delete it to start afresh")
