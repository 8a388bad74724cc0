"""The results: clean accuracy, the robust accuracy table with Wilson intervals (and, for AutoAttack, how
many images each member fooled), and the sanity checks."""

from __future__ import annotations

import html
import math

from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.core.evaluation import EvaluationResult
from inspector.core.evaluation.report import SETTINGS
from inspector.core.evaluation.result import broken_by_text
from inspector.core.util.units import budget_text

HEADER = [
    "defence",
    "attack",
    "eps",
    "robust accuracy",
    "95 % CI (Wilson)",
    "images",
    "attack success",
    "fooled by (member: images)",
]
#: The column of an ensemble's members (AutoAttack), shown only when a row has them.
FOOLED_BY = HEADER.index("fooled by (member: images)")


def _pct(x: float) -> str:
    return "-" if math.isnan(x) else f"{100 * x:.1f} %"


class ResultsTable(QWidget):
    """A summary line, the table of ``robust`` rows and the sanity flags of a result."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summary = QLabel("Run an evaluation to see its results here.")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, len(HEADER))
        self.table.setHorizontalHeaderLabels(HEADER)
        self.table.setColumnHidden(FOOLED_BY, True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.sanity = QLabel("")
        self.sanity.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.sanity)

    def set_result(self, result: EvaluationResult | None) -> None:
        if result is None:
            self.summary.setText("Run an evaluation to see its results here.")
            self.table.setRowCount(0)
            self.table.setColumnHidden(FOOLED_BY, True)
            self.sanity.setText("")
            return
        clean = ", ".join(
            f"clean accuracy{'' if s == 'none' else ' (defended)'} {_pct(c['accuracy'])} "
            f"[{_pct(c['ci'][0])}, {_pct(c['ci'][1])}] of {c['n']}"
            for s, c in result.clean.items()
        )
        stopped = " \u00b7 stopped: the tables cover the finished images" if result.stopped else ""
        self.summary.setText(f"{result.images} images, {result.failed} failed \u00b7 {clean}{stopped}")
        self.table.setRowCount(len(result.robust))
        for i, row in enumerate(result.robust):
            cells = [
                SETTINGS[row["setting"]],
                row["attack"],
                budget_text(row["eps"], result.config.norm),  # in /255 for Linf, as the curve's axis
                _pct(row["accuracy"]),
                f"{_pct(row['ci'][0])} \u2013 {_pct(row['ci'][1])}",
                str(row["n"]),
                _pct(row["success_rate"]),
                broken_by_text(row),
            ]
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.setColumnHidden(FOOLED_BY, not any("broken_by" in row for row in result.robust))
        flags = [s for s in result.sanity if s["status"] == "flag"]
        if not result.sanity:
            self.sanity.setText("")
        elif flags:
            self.sanity.setText(
                "<b style='color:#c62828'>Sanity checks flagged</b> (these numbers likely "
                "overstate robustness):<br>"
                + "<br>".join(f"\u2022 {html.escape(s['check'])}: {html.escape(s['detail'])}" for s in flags)
            )
        else:
            passed = (
                "The sanity check passed"
                if len(result.sanity) == 1
                else f"All {len(result.sanity)} sanity checks passed"
            )
            self.sanity.setText(f"<span style='color:#2e7d32'>{passed}.</span>")
        self.sanity.setToolTip("\n".join(f"{s['status']}: {s['check']} ({s['detail']})" for s in result.sanity))
