"""Per-epoch curves of a hardening run (training loss, clean and robust validation accuracy), and the
accuracy of the model before and after against the Linf budget on the same validation images."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QHBoxLayout, QWidget

from inspector.core.training.hardening import EpochScore, HardenReport

LOSS, CLEAN, ROBUST, BEFORE = "#6a1b9a", "#1565c0", "#c62828", "#757575"


class HardenCurves(QWidget):
    """Training loss per epoch; clean and robust (PGD-10 at eps) validation accuracy per epoch in %;
    accuracy in % against the budget (x 255) before and after, with Wilson 95 % intervals."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.loss = pg.PlotWidget(background="w", title="training loss")
        self.accuracy = pg.PlotWidget(background="w", title="validation accuracy (%)")
        self.budgets = pg.PlotWidget(background="w", title="before / after (PGD-20, 95 % CI)")
        for plot in (self.loss, self.accuracy, self.budgets):
            plot.setMouseEnabled(False, False)
            plot.hideButtons()
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setLabel("bottom", "epoch")
        self.accuracy.setYRange(0, 100, padding=0.02)
        self.accuracy.addLegend(offset=(-10, 120))
        self.budgets.setYRange(0, 100, padding=0.02)
        self.budgets.setLabel("bottom", "Linf budget (/255)")
        self.budgets.addLegend(offset=(-10, 10))
        #: What the before/after plot shows: (budget x 255, before %, after %) per budget.
        self.points: list[tuple[float, float, float]] = []
        self.loss_curve = self.loss.plot(pen=pg.mkPen(LOSS, width=2), symbol="o", symbolBrush=LOSS)
        self.clean_curve = self.accuracy.plot(pen=pg.mkPen(CLEAN, width=2), symbol="s", symbolBrush=CLEAN, name="clean")
        self.robust_curve = self.accuracy.plot(
            pen=pg.mkPen(ROBUST, width=2), symbol="o", symbolBrush=ROBUST, name="robust (PGD-10 at eps)"
        )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss)
        layout.addWidget(self.accuracy)
        layout.addWidget(self.budgets)

    def set_scores(self, scores: list[EpochScore]) -> None:
        epochs = [s.epoch for s in scores]
        self.loss_curve.setData(epochs, [s.loss for s in scores])
        self.clean_curve.setData(epochs, [100 * s.clean for s in scores])
        self.robust_curve.setData(epochs, [100 * s.robust for s in scores])

    def set_report(self, report: HardenReport | None) -> None:
        """Accuracy against the budget before and after ``report``'s run; cleared for None or a stopped run."""
        self.budgets.clear()
        self.points = []
        if report is None or not report.after:
            return
        xs = [255 * a.budget for a in report.before]
        self.points = [(x, 100 * b.rate, 100 * a.rate) for x, b, a in zip(xs, report.before, report.after, strict=True)]
        for accuracies, colour, name in ((report.before, BEFORE, "before"), (report.after, ROBUST, "after")):
            ys = np.array([100 * a.rate for a in accuracies])
            lows = np.array([100 * a.interval[0] for a in accuracies])
            highs = np.array([100 * a.interval[1] for a in accuracies])
            self.budgets.plot(xs, ys, pen=pg.mkPen(colour, width=2), symbol="o", symbolBrush=colour, name=name)
            self.budgets.addItem(
                pg.ErrorBarItem(x=np.array(xs), y=ys, top=highs - ys, bottom=ys - lows, beam=0.6, pen=colour)
            )
