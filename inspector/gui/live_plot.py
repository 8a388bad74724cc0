"""Live plot of the attack's loss and the true-class probability per iteration.

Axis ranges are set by hand (iterations: the planned total; probability: [0, 1];
loss: widened only when a value leaves it), because pyqtgraph's auto-range
recomputes the axes on every update, which costs ~10x the drawing itself and
would stall the GUI during an attack. NaN and infinite values (a model that
misbehaves on some inputs) are kept in the lists but not drawn.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QWidget

MARKERS_UP_TO = 25  # iterations; longer runs are drawn as lines only
HEADROOM = 0.25  # fraction of the loss span added above and below when the range is widened


class LivePlot(QWidget):
    """Two small pyqtgraph plots sharing the iteration axis."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loss_plot = pg.PlotWidget(background="w", title="attack loss")
        self.loss_plot.setToolTip("the objective the attack maximises (targeted: minus the target's loss)")
        self.prob_plot = pg.PlotWidget(background="w", title="P(original class)")
        for plot in (self.loss_plot, self.prob_plot):
            plot.setLabel("bottom", "iteration")
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setMinimumHeight(140)
            plot.getAxis("left").setWidth(44)  # fixed, so new tick labels never relayout the window
            plot.disableAutoRange()
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
        self.prob_plot.setYRange(0, 1, padding=0.02)
        self.loss_curve = self.loss_plot.plot(pen=pg.mkPen("#1565c0", width=2))
        self.prob_curve = self.prob_plot.plot(pen=pg.mkPen("#2e7d32", width=2))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 10, 0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.prob_plot)
        self.reset()

    def set_subject(self, model: str) -> None:
        """Name the model under attack in the titles ("" for none), when several are attacked in turn."""
        suffix = f" on {model}" if model else ""
        self.loss_plot.setTitle("attack loss" + suffix)
        self.prob_plot.setTitle("P(original class)" + suffix)

    def reset(self, total: int = 10) -> None:
        """Clear the curves; the iteration axis spans 1..``total``."""
        self.iterations: list[int] = []
        self.losses: list[float] = []
        self.probabilities: list[float] = []
        self._loss_range: tuple[float, float] | None = None
        self.loss_curve.setData([], [])
        self.prob_curve.setData([], [])
        for plot in (self.loss_plot, self.prob_plot):
            plot.setXRange(1, max(total, 2), padding=0.05)
        symbol = "o" if total <= MARKERS_UP_TO else None  # a single-step attack still shows its point
        for curve in (self.loss_curve, self.prob_curve):
            curve.setSymbol(symbol)
            curve.setSymbolSize(6)
            curve.setSymbolBrush(curve.opts["pen"].color())

    def add(self, iteration: int, loss: float, probability: float) -> None:
        self.iterations.append(iteration)
        self.losses.append(loss)
        self.probabilities.append(probability)

    def redraw(self) -> None:
        """Draw what was added (called at the frame rate, not per iteration); non-finite values are skipped."""
        self.loss_curve.setData(*_finite_points(self.iterations, self.losses))
        self.prob_curve.setData(*_finite_points(self.iterations, self.probabilities))
        losses = [v for v in self.losses if math.isfinite(v)]
        if losses:
            low, high = min(losses), max(losses)
            if self._loss_range is None or low < self._loss_range[0] or high > self._loss_range[1]:
                pad = HEADROOM * max(high - low, 0.1)
                self._loss_range = (low - pad, high + pad)
                self.loss_plot.setYRange(*self._loss_range, padding=0)


def _finite_points(xs: list[int], ys: list[float]) -> tuple[list[int], list[float]]:
    """The (x, y) points whose y is finite, as two lists."""
    points = [(x, y) for x, y in zip(xs, ys, strict=True) if math.isfinite(y)]
    return [x for x, _ in points], [y for _, y in points]
