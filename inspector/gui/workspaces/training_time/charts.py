"""Clean accuracy and attack success as bars with Wilson 95 % intervals, and attack success over poison rates."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QWidget

CLEAN, SUCCESS = "#1565c0", "#c62828"
#: Pixels between the right plot and the window's edge.
RIGHT_MARGIN = 16


class BackdoorCharts(QWidget):
    """Left: the last run's bars; right: attack success and clean accuracy against the poison rate."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.bars = pg.PlotWidget(background="w", title="last model (held-out digits, 95 % CI)")
        self.curve = pg.PlotWidget(background="w", title="over poison rates")
        for plot in (self.bars, self.curve):
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.showGrid(y=True, alpha=0.2)
            plot.setYRange(0, 100, padding=0.02)
            plot.setLabel("left", "%")
        self.bars.getAxis("bottom").setTicks([[(0, "clean accuracy"), (1, "attack success")]])
        self.curve.setLabel("bottom", "poisoned (% of the training set, log scale)")
        self.curve.setLogMode(x=True, y=False)
        self.curve.addLegend(offset=(-10, 120))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, RIGHT_MARGIN, 0)  # the right plot's last tick label stays inside
        layout.addWidget(self.bars)
        layout.addWidget(self.curve)
        self.points: list[tuple[float, float, float]] = []

    def set_runs(self, runs: list[dict]) -> None:
        """Draw the runs (``BackdoorReport.to_dict`` dicts): bars of the last, curves of those like it."""
        self.bars.clear()
        self.curve.clear()
        if not runs:
            return
        last = runs[-1]
        values = [100 * last["clean_accuracy"]["rate"], 100 * last["attack_success"]["rate"]]
        lows = [100 * last[k]["ci95"][0] for k in ("clean_accuracy", "attack_success")]
        highs = [100 * last[k]["ci95"][1] for k in ("clean_accuracy", "attack_success")]
        self.bars.addItem(pg.BarGraphItem(x=[0, 1], height=values, width=0.6, brushes=[CLEAN, SUCCESS]))
        self.bars.addItem(
            pg.ErrorBarItem(
                x=np.array([0, 1]),
                y=np.array(values),
                top=np.array(highs) - values,
                bottom=np.array(values) - lows,
                beam=0.2,
            )
        )
        for x, v, low, high in zip((0, 1), values, lows, highs, strict=True):
            label = pg.TextItem(f"{v:.1f} %\n[{low:.1f}, {high:.1f}]", color="w", anchor=(0.5, 0))
            label.setPos(x, min(v, 90))  # inside the bar, below the top of the axis
            self.bars.addItem(label)
        same = [
            r
            for r in runs
            if {k: v for k, v in r["config"].items() if k != "rate"}
            == {k: v for k, v in last["config"].items() if k != "rate"}
        ]
        same.sort(key=lambda r: r["config"]["rate"])
        xs = [100 * r["config"]["rate"] for r in same]
        self.curve.getAxis("bottom").setTicks([[(math.log10(x), f"{x:g}") for x in xs]])  # log mode: log10 positions
        self.points = [
            (x, 100 * r["attack_success"]["rate"], 100 * r["clean_accuracy"]["rate"])
            for x, r in zip(xs, same, strict=True)
        ]
        self.curve.plot(
            xs,
            [p[1] for p in self.points],
            pen=pg.mkPen(SUCCESS, width=2),
            symbol="o",
            symbolBrush=SUCCESS,
            name="attack success",
        )
        self.curve.plot(
            xs,
            [p[2] for p in self.points],
            pen=pg.mkPen(CLEAN, width=2),
            symbol="s",
            symbolBrush=CLEAN,
            name="clean accuracy",
        )
