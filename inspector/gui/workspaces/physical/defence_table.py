"""The before/after-defences table of a physical pattern: one row for no defence, one per defence,
one for all of them together (:func:`~inspector.core.physical.defended.defence_rows`).

Columns: the defence; the clean views (no pattern) it still reads right, its cost; the pattern's
success with its 95 % interval; the baseline's (a random sticker of the same shape, or for a
universal perturbation the clean images' own misreadings); and the verdict: "gets through" (red)
when the pattern's interval lies above the baseline's, else "holds" (green).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

COLUMNS = ("defence", "clean views read right", "pattern's success [95 % CI]", "baseline's", "verdict")
GETS_THROUGH, HOLDS = QColor("#c62828"), QColor("#2e7d32")


def _rate(r: dict) -> str:
    return f"{r['rate']:.1%} [{r['low']:.1%}, {r['high']:.1%}]"


def row_texts(row: dict) -> list[str]:
    """One row's cells, from a :func:`~inspector.core.physical.defended.defence_rows` dict."""
    verdict = "gets through" if row["fooled"] else "holds"
    return [row["defence"], f"{row['clean']['rate']:.1%}", _rate(row["pattern"]), _rate(row["baseline"]), verdict]


class DefenceTable(QTableWidget):
    """Shows the rows of one run; empty (and hidden by its workspace) without defences."""

    def __init__(self, parent=None):
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def show_rows(self, rows: list[dict], adaptive: bool) -> None:
        """Replace the rows; the first column's header says whether the pattern was made against the defences."""
        made = "pattern made against them" if adaptive else "pattern made on the bare model"
        self.setHorizontalHeaderLabels((f"defence ({made})", *COLUMNS[1:]))
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row_texts(row)):
                item = QTableWidgetItem(text)
                if c == len(COLUMNS) - 1:
                    item.setForeground(GETS_THROUGH if row["fooled"] else HOLDS)
                self.setItem(r, c, item)
        rows_height = sum(self.rowHeight(r) for r in range(self.rowCount()))
        self.setFixedHeight(self.horizontalHeader().sizeHint().height() + rows_height + 2 * self.frameWidth())

    def texts(self) -> list[list[str]]:
        """The cells' texts, row by row."""
        return [[self.item(r, c).text() for c in range(self.columnCount())] for r in range(self.rowCount())]
