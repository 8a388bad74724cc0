"""The output-mode comparison's table: one black-box attack, one row per output mode.

Each row says whether the attack still fooled the model when the target answers
in that mode, at what query cost and perturbation norm, or in plain words why
the attack cannot run there (a score-based attack against a label-only target).
"""

from __future__ import annotations

import math

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout

from inspector.core.evasion.mode_sweep import MODES, ModeRow
from inspector.core.util.units import grey_levels

COLUMNS = ("output mode", "fooled", "queries", "L2 ([0, 1] pixel units)", "Linf (/255)", "run time")


def success_text(row: ModeRow) -> str:
    """``"1/1"``, or with several images ``"3/5 [23 %, 88 %]"`` (Wilson 95 % interval); "cannot run" refused."""
    if not row.ran:
        return "cannot run"
    text = f"{row.success}/{row.n}" if row.n > 1 else ("yes" if row.success else "no")
    if row.n > 1:
        text += f" [{100 * row.low:.0f} %, {100 * row.high:.0f} %]"
    return text + (" (cancelled)" if row.cancelled else "")


def cells(row: ModeRow) -> list[str]:
    """The texts of ``row``'s cells, in the order of :data:`COLUMNS`; a refused mode gives its reason."""
    if not row.ran:
        return [row.title, f"cannot run: {row.cannot_run}"]
    if math.isnan(row.queries):
        return [row.title, success_text(row), "-", "-", "-", f"{row.seconds:.1f} s"]
    return [
        row.title,
        success_text(row),
        f"{row.queries:,.0f}",
        f"{row.l2:.2f}",
        grey_levels(row.linf),
        f"{row.seconds:.1f} s",
    ]


class ModeTable(QDialog):
    """A non-modal dialog showing a :class:`~inspector.gui.workspaces.evasion.jobs.ModeSweep` (see :meth:`show_sweep`)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Output modes")
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.note = QLabel(
            "Fooled: with several images, how many and the Wilson 95 % interval. Queries and norms: "
            "medians of the successful images; L2 in [0, 1] pixel units, Linf in grey levels. "
            "The throttle and the stateful detector are not applied here."
        )
        self.note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.table, self.note, buttons):
            layout.addWidget(widget)
        self.resize(760, 330)

    def show_sweep(self, sweep) -> None:
        """Fill the table with ``sweep``'s rows and show the dialog."""
        budget = f", at most {sweep.budget:,} queries each" if sweep.budget else ""
        digits = f" and {sweep.held_out} held-out digits it classifies correctly" if sweep.held_out else ""
        finished = sum(not r.cancelled for r in sweep.rows)
        cancelled = f" <b>Cancelled</b>: {finished} of {len(MODES)} modes finished." if finished < len(MODES) else ""
        self.heading.setText(
            f"<b>{sweep.attack}</b> on {sweep.image}{digits}{budget}, once per output mode of "
            f"the target: does concealing the scores stop the attack, or only slow it?{cancelled}"
        )
        self.table.clearSpans()
        self.table.setRowCount(len(sweep.rows))
        reasons = {}
        for r, row in enumerate(sweep.rows):
            texts = cells(row)
            if not row.ran:  # the reason spans the other columns: filled in once they are sized
                reasons[r] = texts.pop()
            texts += [""] * (len(COLUMNS) - len(texts))
            for c, text in enumerate(texts):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        for r, reason in reasons.items():
            self.table.setSpan(r, 1, 1, len(COLUMNS) - 1)
            self.table.item(r, 1).setText(reason)
            self.table.item(r, 1).setToolTip(reason)
        self.table.resizeRowsToContents()
        self.show()
        self.raise_()

    def texts(self) -> list[list[str]]:
        """The table's cell texts, row by row (empty cells under a spanned reason dropped)."""
        return [
            [self.table.item(r, c).text() for c in range(self.table.columnCount()) if self.table.item(r, c).text()]
            for r in range(self.table.rowCount())
        ]
