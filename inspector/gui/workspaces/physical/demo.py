"""The demo folders of the Physical workspace: rendered stop signs for the road-sign models, so that
the first Run works without any data (:func:`~inspector.core.io.sign_render.render_sign`)."""

from __future__ import annotations

import os
from pathlib import Path

from inspector.core.io.sign_render import render_sign

#: The sign, and the seeds of the signs the pattern is made on and of the held-out ones (disjoint).
SIGN = "stop"
MAKE_SEEDS, HELD_OUT_SEEDS = range(8), range(100, 112)


def ensure_demo_signs(folder: str | Path, seeds: range) -> None:
    """Render the stop sign of each seed into ``folder`` as ``stop_<seed>.png`` (labelled by its name),
    skipping those already there. Raises OSError when the folder cannot be written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        path = folder / f"{SIGN}_{seed:04d}.png"
        if not path.is_file():
            partial = path.with_suffix(f".{os.getpid()}.part")  # another process may render it too
            render_sign(SIGN, seed).save(partial, format="PNG")
            partial.replace(path)
