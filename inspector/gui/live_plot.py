"""Live plot of the attack's loss and the true-class probability per iteration."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QWidget


class LivePlot(QWidget):
    """Two small pyqtgraph plots sharing the iteration axis."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loss_plot = pg.PlotWidget(background="w", title="loss")
        self.prob_plot = pg.PlotWidget(background="w", title="P(true class)")
        self.prob_plot.setYRange(0, 1, padding=0.02)
        for plot in (self.loss_plot, self.prob_plot):
            plot.setLabel("bottom", "iteration")
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setMinimumHeight(140)
        self.loss_curve = self.loss_plot.plot(pen=pg.mkPen("#1565c0", width=2), symbol="o", symbolSize=4)
        self.prob_curve = self.prob_plot.plot(pen=pg.mkPen("#2e7d32", width=2), symbol="o", symbolSize=4)
        self.iterations: list[int] = []
        self.losses: list[float] = []
        self.probabilities: list[float] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.prob_plot)

    def reset(self) -> None:
        self.iterations, self.losses, self.probabilities = [], [], []
        self.loss_curve.setData([], [])
        self.prob_curve.setData([], [])

    def add(self, iteration: int, loss: float, probability: float) -> None:
        self.iterations.append(iteration)
        self.losses.append(loss)
        self.probabilities.append(probability)

    def redraw(self) -> None:
        """Draw what was added (called at the frame rate, not per iteration)."""
        self.loss_curve.setData(self.iterations, self.losses)
        self.prob_curve.setData(self.iterations, self.probabilities)
