"""Top-k class probabilities as horizontal bars, one chart per entry.

The panel is generic: give it a list of :class:`ProbabilityEntry` (a title,
a top-k list as made by :func:`inspector.core.util.metrics.top_k`, and the class
indices to highlight with a role), and it draws one chart per entry. New rows,
e.g. "adversarial under JPEG defence", need no change here. Entries fill a
grid of ``columns`` columns, row by row: comparing models puts one model per
column, side by side. Rows whose probability is NaN or infinite are not drawn.
A title's parts (separated by :data:`PART_SEPARATOR`, e.g. a detector's flag) are
drawn one per line, so that a narrow chart keeps them whole.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import pyqtgraph as pg
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

#: Bar colours by highlight role; classes with no role are grey.
ROLE_COLOURS = {"true": "#2e7d32", "adversarial": "#c62828", "target": "#ef6c00"}
#: What the legend calls each role: "true" is the model's top-1 on the original image, not a ground truth.
ROLE_TITLES = {"true": "original prediction", "adversarial": "adversarial prediction", "target": "target"}
PLAIN = "#9e9e9e"
NAME_CHARS = 24
TEXT_PT = 10
INSIDE_FROM = 0.8  # probabilities above this get their label inside the bar
PART_SEPARATOR = " \u00b7 "


@dataclass
class ProbabilityEntry:
    """One chart: ``title``, ``top_k`` rows ``{index, name, probability}``, ``highlight`` {index: role}."""

    title: str
    top_k: list[dict]
    highlight: dict[int, str] = field(default_factory=dict)


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "\u2026"


class ProbabilityPanel(QWidget):
    """A grid of bar charts, one per :class:`ProbabilityEntry`, ``columns`` wide, under a legend of the
    highlight colours (``legend=False``: none, for charts without highlights)."""

    def __init__(self, parent=None, *, legend: bool = True):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        text = "  ".join(
            f"<span style='color:{c}'>\u25a0</span> {ROLE_TITLES[role]}" for role, c in ROLE_COLOURS.items()
        )
        self._legend = QLabel(text)
        self._legend.setVisible(legend)
        layout.addWidget(self._legend)
        self._grid = QGridLayout()
        layout.addLayout(self._grid, 1)
        self.plots: list[pg.PlotWidget] = []
        self.entries: list[ProbabilityEntry] = []
        self.columns = 1
        self.text_scale = 1.0

    def set_text_scale(self, scale: float) -> None:
        """Scale titles, class names and percentages (presentation mode)."""
        self.text_scale = scale
        entries, self.entries = self.entries, []
        self.set_entries(entries, self.columns)

    def set_entries(self, entries: list[ProbabilityEntry], columns: int = 1) -> None:
        """Replace the charts by one per entry, row by row in a grid ``columns`` wide."""
        while len(self.plots) > len(entries):
            plot = self.plots.pop()
            self.entries.pop()
            self._grid.removeWidget(plot)
            plot.deleteLater()
        while len(self.plots) < len(entries):
            plot = pg.PlotWidget(background="w")
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.disableAutoRange()
            plot.setXRange(0, 1, padding=0)
            plot.setYRange(-0.6, 4.6, padding=0)
            plot.getViewBox().invertY(True)
            plot.getAxis("bottom").setTicks([[(v, f"{v:.0%}") for v in (0, 0.25, 0.5, 0.75, 1.0)]])
            plot.setMinimumHeight(110)
            self.plots.append(plot)
        if columns != self.columns or len(self.plots) != self._grid.count():
            for i, plot in enumerate(self.plots):
                self._grid.removeWidget(plot)
                self._grid.addWidget(plot, i // columns, i % columns)
            self.columns = columns
        previous = self.entries + [None] * len(entries)
        self.entries = list(entries)
        for plot, entry, before in zip(self.plots, entries, previous, strict=False):  # previous is padded with None
            if entry != before:  # redrawing an unchanged chart costs GUI time
                self._draw(plot, entry)

    def _draw(self, plot: pg.PlotWidget, entry: ProbabilityEntry) -> None:
        rows = [row for row in entry.top_k if math.isfinite(row["probability"])]
        plot.clear()
        font = QFont()
        font.setPointSizeF(TEXT_PT * self.text_scale)
        plot.getAxis("left").setStyle(tickFont=font)
        names = [_short(row["name"]) for row in rows] or [""]
        longest = max(QFontMetrics(font).horizontalAdvance(name) for name in names)
        plot.getAxis("left").setWidth(min(longest + 16, round(150 * self.text_scale)))
        title = "<br>".join(html.escape(part) for part in entry.title.split(PART_SEPARATOR))
        plot.setTitle(title, color="#333", size=f"{TEXT_PT * self.text_scale:.0f}pt")
        n = len(rows)
        plot.getAxis("left").setTicks([[]])
        if n == 0:
            return
        ys = list(range(n))
        widths = [row["probability"] for row in rows]
        colours = [ROLE_COLOURS.get(entry.highlight.get(row["index"], ""), PLAIN) for row in rows]
        plot.addItem(pg.BarGraphItem(x0=[0] * n, y=ys, width=widths, height=0.7, brushes=colours, pens=colours))
        for y, row in zip(ys, rows, strict=True):
            p = row["probability"]
            inside = p > INSIDE_FROM  # long bars: white label inside the bar's end
            label = pg.TextItem(f"{p:.1%}", color="w" if inside else "#222", anchor=(1 if inside else 0, 0.5))
            label.setFont(font)
            label.setPos(p - 0.01 if inside else p + 0.01, y)
            plot.addItem(label)
        plot.getAxis("left").setTicks([[(y, _short(row["name"])) for y, row in zip(ys, rows, strict=True)]])
        plot.setYRange(-0.6, n - 0.4, padding=0)
