"""The HTML pieces the reports share: the style sheet, an embedded PNG, a percentage, escaping and a table."""

from __future__ import annotations

import base64
import html
import io
import math

from PIL import Image

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; color: #222; line-height: 1.4 }
h1 { font-size: 1.6em; margin-bottom: 0.2em } h2 { font-size: 1.2em; margin-top: 1.8em; border-bottom: 1px solid #ddd }
table { border-collapse: collapse; margin: 0.6em 0; font-variant-numeric: tabular-nums }
th, td { border: 1px solid #ddd; padding: 3px 9px; text-align: right } th { background: #f4f4f4 }
td.l, th.l { text-align: left }
.flag { background: #fde2e1; color: #8a1c14; font-weight: bold } .ok { color: #1d6b2f }
.banner { padding: 0.7em 1em; border-radius: 4px; margin: 1em 0 }
.bad { background: #fde2e1; border: 1px solid #e8a29c } .good { background: #e3f4e6; border: 1px solid #9fd2a8 }
img { max-width: 100%; border: 1px solid #eee } img.example { max-width: 860px } .muted { color: #777; font-size: 0.9em }
"""


def _png(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _pct(x: float) -> str:
    return "-" if x is None or math.isnan(x) else f"{100 * x:.1f} %"


def _e(text) -> str:
    return html.escape(str(text))


def _table(header: list[str] | None, rows: list[list[str]], left: int = 1) -> str:
    """A table of HTML cells (escaped by the caller); ``header`` None: none (a key-value table)."""
    head = (
        ""
        if header is None
        else "<tr>"
        + "".join(f'<th class="{"l" if i < left else ""}">{_e(h)}</th>' for i, h in enumerate(header))
        + "</tr>"
    )
    body = "".join(
        "<tr>" + "".join(f'<td class="{"l" if i < left else ""}">{c}</td>' for i, c in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table>{head}{body}</table>"
