"""The certified-accuracy curve of an evaluation with randomized smoothing (Cohen, Rosenfeld and Kolter
2019, arXiv:1902.02918, figure 7): certified accuracy against the L2 radius, its table with 95 % Wilson
intervals, and the abstentions (:class:`~inspector.core.evaluation.certified.CertificationResult`)."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.core.evaluation import EvaluationResult
from inspector.core.evaluation.certified_plot import steps
from inspector.core.evaluation.html import _pct
from inspector.gui.workspaces.evaluate.curve_plot import COLOURS

HEADER = ["L2 radius", "certified accuracy", "95 % CI (Wilson)", "images"]
EMPTY = "Tick \u201cCertified accuracy\u201d before Run to certify each image by randomized smoothing."


class CertifiedView(QWidget):
    """A summary line, the curve (step line of the certificates, dots with Wilson whiskers) and its table."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QLabel(EMPTY)
        self.summary.setWordWrap(True)
        self.plot = pg.PlotWidget(background="w")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setLabel("left", "certified accuracy (%)")
        self.plot.setLabel("bottom", "certified L2 radius (pixel values in [0, 1])")
        self.plot.setYRange(0, 100, padding=0.02)
        self.plot.getAxis("bottom").enableAutoSIPrefix(False)  # radii as they are, not in thousandths
        self.table = QTableWidget(0, len(HEADER))
        self.table.setHorizontalHeaderLabels(HEADER)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        split = QSplitter()
        split.addWidget(self.plot)
        split.addWidget(self.table)
        split.setStretchFactor(0, 1)
        split.setSizes([500, 420])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        self.rows: list[dict] = []

    def set_result(self, result: EvaluationResult | None) -> None:
        """Show ``result``'s certificates; none (no result, or one without smoothing): the hint."""
        certified = None if result is None else result.certified
        self.plot.clear()
        self.rows = [] if certified is None or not certified.images else certified.curve()
        self.table.setRowCount(len(self.rows))
        if certified is None or not certified.images:
            self.summary.setText(EMPTY if certified is None else "No image certified yet.")
            return
        s = certified.smoothing
        self.summary.setText(
            f"{len(certified.images)} images certified (sigma {s.sigma:g}, n0 {s.n0}, n {s.n}, alpha {s.alpha:g}) "
            f"\u00b7 base classifier's clean accuracy {_pct(certified.clean_accuracy)} \u00b7 "
            f"the smoothed classifier abstained on {certified.abstentions}"
        )
        for i, row in enumerate(self.rows):
            cells = [
                f"{row['radius']:g}",
                _pct(row["accuracy"]),
                f"{_pct(row['ci'][0])} \u2013 {_pct(row['ci'][1])}",
                f"{row['certified']} of {row['n']}",
            ]
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        colour = pg.mkColor(COLOURS[0])
        line = steps(certified)
        self.plot.plot([r for r, _ in line], [100 * a for _, a in line], pen=pg.mkPen(colour, width=2))
        x = np.array([r["radius"] for r in self.rows])
        y = np.array([100 * r["accuracy"] for r in self.rows])
        low = y - np.array([100 * r["ci"][0] for r in self.rows])
        high = np.array([100 * r["ci"][1] for r in self.rows]) - y
        self.plot.addItem(pg.ErrorBarItem(x=x, y=y, top=high, bottom=low, beam=0.03, pen=colour))
        self.plot.plot(x, y, pen=None, symbol="o", symbolSize=7, symbolBrush=colour, symbolPen=None)
        self.plot.setXRange(0, max(float(x[-1]), 1e-3), padding=0.05)
        self.plot.setYRange(0, 100, padding=0.02)

    def points(self) -> tuple[list[float], list[float]]:
        """The radii and certified accuracies (%) of the dots drawn."""
        return [r["radius"] for r in self.rows], [100 * r["accuracy"] for r in self.rows]
