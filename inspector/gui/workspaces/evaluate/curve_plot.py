"""Robust accuracy against eps, one line per attack and setting, redrawn as results arrive.

Budgets are drawn in /255 for Linf (the unit people quote). The y axis is fixed
to [0, 100] % so a growing curve never relayouts; the x axis follows the budgets.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QVBoxLayout, QWidget

from inspector.core.evaluation.result import WORST_CASE

COLOURS = ("#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#4e342e")
DASHES = {"none": Qt.PenStyle.SolidLine, "defended": Qt.PenStyle.DashLine, "adaptive": Qt.PenStyle.DotLine}
WORST_COLOUR = "#9e9e9e"
POINT_SIZE = 9  # of the tick labels at text scale 1
SETTINGS = {"none": "", "defended": " (defended)", "adaptive": " (adaptive)"}


class CurvePlot(QWidget):
    """A pyqtgraph plot of the ``robust`` rows of an :class:`~inspector.core.evaluation.EvaluationResult`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w", title="robust accuracy")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setYRange(0, 100, padding=0.02)
        self.legend = self.plot.addLegend(offset=(10, -10))  # bottom left: the curves fall to the right
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 10, 0)
        layout.addWidget(self.plot)
        self.lines: dict[tuple[str, str], pg.PlotDataItem] = {}
        self.rows: list[dict] = []
        self.norm = "linf"
        self.set_rows([], "linf")

    def set_text_scale(self, scale: float) -> None:
        """Scale the title, the tick labels and the legend (presentation mode)."""
        font = QFont()
        font.setPointSizeF(POINT_SIZE * scale)
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setTickFont(font)
        self.plot.setTitle("robust accuracy", size=f"{(POINT_SIZE + 3) * scale:g}pt")
        self.legend.setLabelTextSize(f"{POINT_SIZE * scale:g}pt")
        self.lines = {}  # the legend sizes its entries as they are added: add them again
        self.set_rows(self.rows, self.norm)

    def _label_axes(self) -> None:
        """Axis titles at a fixed size (pyqtgraph does not make room under larger ones)."""
        self.plot.setLabel("left", "robust accuracy (%)")
        self.plot.setLabel("bottom", "eps (/255)" if self.norm == "linf" else "eps (L2)")

    def set_rows(self, robust: list[dict], norm: str) -> None:
        """Draw ``robust`` rows ({setting, attack, eps, accuracy, n}); rows with no image yet are left out."""
        scale = 255 if norm == "linf" else 1
        self.rows, self.norm = robust, norm
        self._label_axes()
        series: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for row in robust:
            if row["n"]:
                series.setdefault((row["setting"], row["attack"]), []).append(
                    (row["eps"] * scale, 100 * row["accuracy"])
                )
        if set(series) != set(self.lines):
            self.plot.clear()
            self.legend.clear()
            attacks = list(dict.fromkeys(attack for _, attack in series))
            self.lines = {key: self._line(key, attacks.index(key[1])) for key in series}
        for key, points in series.items():
            points.sort()
            self.lines[key].setData([x for x, _ in points], [y for _, y in points])
        xs = [x for points in series.values() for x, _ in points]
        self.plot.setXRange(0, max(xs, default=1) or 1, padding=0.05)
        self.plot.setYRange(0, 100, padding=0.02)

    def _line(self, key: tuple[str, str], number: int) -> pg.PlotDataItem:
        """The line of (setting, attack): a colour per attack, a dash per setting; the worst case wide and
        pale beneath the others, which it often equals."""
        setting, attack = key
        worst = attack == WORST_CASE
        colour = pg.mkColor(WORST_COLOUR if worst else COLOURS[number % len(COLOURS)])
        if worst:
            colour.setAlpha(110)
        line = self.plot.plot(
            name=attack + SETTINGS[setting],
            symbol="o",
            symbolSize=11 if worst else 7,
            symbolBrush=colour,
            symbolPen=None,
            pen=pg.mkPen(colour, width=7 if worst else 2, style=DASHES[setting]),
        )
        line.setZValue(-1 if worst else 0)
        return line

    def points(self) -> dict[tuple[str, str], tuple[list[float], list[float]]]:
        """(setting, attack) -> the (x, y) data drawn."""
        return {key: tuple(list(v) for v in line.getData()) for key, line in self.lines.items()}
