"""Robust accuracy against eps, one line per attack and setting, redrawn as results arrive.

Budgets are drawn in /255 for Linf (the unit people quote). The y axis is fixed
to [0, 100] % so a growing curve never relayouts; the x axis follows the budgets.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

COLOURS = ("#1565c0", "#c62828", "#2e7d32", "#6a1b9a", "#ef6c00", "#00838f", "#4e342e")
DASHES = {"none": Qt.PenStyle.SolidLine, "defended": Qt.PenStyle.DashLine, "adaptive": Qt.PenStyle.DotLine}
SETTINGS = {"none": "", "defended": " (defended)", "adaptive": " (adaptive)"}


class CurvePlot(QWidget):
    """A pyqtgraph plot of the ``robust`` rows of an :class:`~inspector.core.evaluation.EvaluationResult`."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w", title="robust accuracy")
        self.plot.setLabel("left", "robust accuracy (%)")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setYRange(0, 100, padding=0.02)
        self.legend = self.plot.addLegend(offset=(10, -10))   # bottom left: the curves fall to the right
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 10, 0)
        layout.addWidget(self.plot)
        self.lines: dict[tuple[str, str], pg.PlotDataItem] = {}
        self.set_rows([], "linf")

    def set_rows(self, robust: list[dict], norm: str) -> None:
        """Draw ``robust`` rows ({setting, attack, eps, accuracy, n}); rows with no image yet are left out."""
        scale = 255 if norm == "linf" else 1
        self.plot.setLabel("bottom", "eps (/255)" if norm == "linf" else "eps (L2)")
        series: dict[tuple[str, str], list[tuple[float, float]]] = {}
        for row in robust:
            if row["n"]:
                series.setdefault((row["setting"], row["attack"]), []).append((row["eps"] * scale,
                                                                               100 * row["accuracy"]))
        if set(series) != set(self.lines):
            self.plot.clear()
            self.legend.clear()
            attacks = list(dict.fromkeys(attack for _, attack in series))
            self.lines = {key: self.plot.plot(
                name=key[1] + SETTINGS[key[0]], symbol="o", symbolSize=7,
                symbolBrush=COLOURS[attacks.index(key[1]) % len(COLOURS)],
                pen=pg.mkPen(COLOURS[attacks.index(key[1]) % len(COLOURS)], width=2, style=DASHES[key[0]]))
                for key in series}
        for key, points in series.items():
            points.sort()
            self.lines[key].setData([x for x, _ in points], [y for _, y in points])
        xs = [x for points in series.values() for x, _ in points]
        self.plot.setXRange(0, max(xs, default=1) or 1, padding=0.05)
        self.plot.setYRange(0, 100, padding=0.02)

    def points(self) -> dict[tuple[str, str], tuple[list[float], list[float]]]:
        """(setting, attack) -> the (x, y) data drawn."""
        return {key: tuple(list(v) for v in line.getData()) for key, line in self.lines.items()}
