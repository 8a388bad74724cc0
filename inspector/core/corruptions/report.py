"""What ``inspector corrupt --out DIR`` writes: ``corruptions.json`` (the figures, per image too) and
``report.html`` (one self-contained page: accuracy per corruption and severity, CE and mCE against
the baseline, the flip severities, and one image under every corruption)."""

from __future__ import annotations

import base64
import html
import io
import json
import math
from pathlib import Path

import numpy as np
from PIL import Image

from inspector.core.corruptions.benchmark import CorruptionErrors, CorruptionRun
from inspector.core.corruptions.registry import corrupt
from inspector.core.evaluation.report import STYLE
from inspector.core.io.files import check_files, write_files

SAVED_FILES = ("corruptions.json", "report.html")
PAPER = "Hendrycks and Dietterich 2019, arXiv:1903.12261"


def corruption_grid(image: np.ndarray, corruptions: tuple[str, ...], seed: int = 0) -> np.ndarray:
    """One row per corruption of ``image`` (H, W, 3) uint8: clean, then severities 1-5; (K H, 6 W, 3) uint8."""
    rows = [np.concatenate([image] + [corrupt(image, c, s, seed) for s in range(1, 6)], axis=1) for c in corruptions]
    return np.concatenate(rows, axis=0)


def summary(runs: list[CorruptionRun], errors: list[CorruptionErrors]) -> dict:
    """The JSON of a run: the paper, each model's figures and, with a baseline, its CE and mCE."""
    return {"paper": PAPER, "runs": [r.to_dict() for r in runs], "errors": [e.to_dict() for e in errors]}


def _png(pixels: np.ndarray, scale: int) -> str:
    picture = Image.fromarray(pixels)
    picture = picture.resize((picture.width * scale, picture.height * scale), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def percent(x: float) -> str:
    """``"61.3 %"``, or ``"-"`` for nan (a relative CE whose baseline adds no error: its denominator is 0)."""
    return "-" if math.isnan(x) else f"{100 * x:.1f} %"


def interval(bounds: tuple[float, float]) -> str:
    """``"55.0 % - 67.1 %"``, each bound as :func:`percent` writes it."""
    return f"{percent(bounds[0])} - {percent(bounds[1])}"


def _table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render_html(runs: list[CorruptionRun], errors: list[CorruptionErrors], data: str, grid: np.ndarray) -> str:
    """The report as one HTML document."""
    first = runs[0]
    parts = [
        f"<html><head><meta charset='utf-8'><style>{STYLE}</style></head><body>",
        f"<h1>Common corruptions on {html.escape(data)}</h1>",
        f'<p class="muted">{len(first.labels)} images; corruptions and severities of {PAPER}; frost is a '
        "synthesised texture, not the paper's photographs.</p>",
    ]
    if errors:
        parts.append(f"<h2>mCE against {html.escape(errors[0].baseline)}</h2>")
        rows = [
            [e.model, percent(e.mce), interval(e.mce_95), percent(e.relative_mce), interval(e.relative_mce_95)]
            for e in errors
        ]
        parts.append(_table(["model", "mCE", "95 % interval", "relative mCE", "95 % interval"], rows))
        parts.append('<p class="muted">Intervals: paired bootstrap over images.</p>')
        header = ["corruption", *(f"CE {e.model}" for e in errors), *(f"relative CE {e.model}" for e in errors)]
        rows = [
            [c, *(percent(e.ce[c]) for e in errors), *(percent(e.relative_ce[c]) for e in errors)]
            for c in first.corruptions
        ]
        parts.append(_table(header, rows))
    for run in runs:
        accuracy, flips = run.accuracy(), run.flip_severity()
        parts.append(f"<h2>{html.escape(run.model)}: accuracy (clean {percent(run.clean_accuracy())})</h2>")
        header = ["corruption", *(f"severity {s}" for s in run.severities), "images flipped", "median flip"]
        rows = []
        for k, c in enumerate(run.corruptions):
            flipped = flips[:, k][flips[:, k] > 0]
            median = str(int(flipped.median())) if len(flipped) else "-"
            rows.append([c, *(percent(float(a)) for a in accuracy[k]), f"{len(flipped)} / {len(flips)}", median])
        parts.append(_table(header, rows))
    scale = max(1, 64 * len(first.corruptions) // grid.shape[0])
    parts.append("<h2>The first image under each corruption (clean, severities 1-5)</h2>")
    parts.append(f'<img class="example" src="{_png(grid, scale)}">')
    parts.append("</body></html>")
    return "\n".join(parts)


def check_out(folder: str) -> None:
    """Before the work: the files could be written into ``folder``.

    Raises:
        ExportError: see :func:`inspector.core.io.files.check_files`.
    """
    check_files(folder, SAVED_FILES)


def save(folder: str, runs: list[CorruptionRun], errors: list[CorruptionErrors], data: str, grid: np.ndarray) -> None:
    """Write ``corruptions.json`` and ``report.html`` into ``folder``, both or neither.

    Raises:
        ExportError: see :func:`inspector.core.io.files.write_files`.
    """
    text = json.dumps(summary(runs, errors), indent=2, allow_nan=False, default=str)
    page = render_html(runs, errors, data, grid)
    write_files(
        folder,
        {
            "corruptions.json": lambda p: Path(p).write_text(text, encoding="utf-8"),
            "report.html": lambda p: Path(p).write_text(page, encoding="utf-8"),
        },
    )
