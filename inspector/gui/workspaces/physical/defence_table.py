"""The before/after-defences table of a physical pattern: one row for no defence, one per defence,
one for all of them together (:func:`~inspector.core.physical.defended.defence_rows`).

Columns: the defence; the clean views (no pattern) it still reads right, its cost; the pattern's
success with its 95 % interval; the baseline's (a random sticker of the same shape, or for a
universal perturbation the clean images' own misreadings); and the verdict: "gets through" (red)
when the pattern's interval lies above the baseline's, else "holds" (green); without a defence,
"works" or "fails".
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from inspector.core.physical.defended import NO_DEFENCE

COLUMNS = ("defence", "clean read right", "success [95 % CI]", "baseline", "verdict")
#: What each column's header says in full (its tooltip).
TIPS = (
    "the input-transform defence applied to each photograph before the model reads it",
    "share of the same views without the pattern read as their true class: what the defence costs",
    "share of views read as wanted with the pattern, with its 95 % interval",
    "a random sticker of the same shape on the same views (a universal perturbation: the clean images' "
    "own misreadings)",
    "gets through: the pattern's interval lies above the baseline's, else the defence holds "
    "(without a defence: the pattern works, or fails)",
)
GETS_THROUGH, HOLDS = QColor("#c62828"), QColor("#2e7d32")


def _rate(r: dict) -> str:
    return f"{r['rate']:.1%} [{100 * r['low']:.1f}, {100 * r['high']:.1f}]"


def row_texts(row: dict) -> list[str]:
    """One row's cells, from a :func:`~inspector.core.physical.defended.defence_rows` dict."""
    if row["defence"] == NO_DEFENCE:
        verdict = "works" if row["fooled"] else "fails"
    else:
        verdict = "gets through" if row["fooled"] else "holds"
    return [row["defence"], f"{row['clean']['rate']:.1%}", _rate(row["pattern"]), _rate(row["baseline"]), verdict]


class DefenceTable(QTableWidget):
    """Shows the rows of one run; empty (and hidden by its workspace) without defences."""

    def __init__(self, parent=None):
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        for c, tip in enumerate(TIPS):
            self.horizontalHeaderItem(c).setToolTip(tip)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def show_rows(self, rows: list[dict]) -> None:
        """Replace the rows; the table takes the size of its cells."""
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row_texts(row)):
                item = QTableWidgetItem(text)
                if c == len(COLUMNS) - 1:
                    item.setForeground(GETS_THROUGH if row["fooled"] else HOLDS)
                self.setItem(r, c, item)
        self.resizeColumnsToContents()
        rows_height = sum(self.rowHeight(r) for r in range(self.rowCount()))
        columns_width = sum(self.columnWidth(c) for c in range(self.columnCount()))
        self.setFixedSize(
            columns_width + 2 * self.frameWidth(),
            self.horizontalHeader().sizeHint().height() + rows_height + 2 * self.frameWidth(),
        )

    def texts(self) -> list[list[str]]:
        """The cells' texts, row by row."""
        return [[self.item(r, c).text() for c in range(self.columnCount())] for r in range(self.rowCount())]
