"""The "before and after defences" table: one compact row per defence, however many are on.

Columns: the defence, the original's and the adversarial's top-1 with probability under
it, and the verdict (holds / fooled). Under the adversarial's cell a thin bar shows its
probability, red when the attack fools the model there, green when the defence holds.
The rows come from :func:`~inspector.gui.workspaces.evasion.defence_rows.defence_rows`.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QStyledItemDelegate, QTableWidget, QTableWidgetItem

from inspector.gui.workspaces.evasion.defence_rows import DefenceRow

COLUMNS = ("defence", "original", "adversarial", "verdict")
ADVERSARIAL = 2
FOOLED, HOLDS = QColor("#c62828"), QColor("#2e7d32")
BAR_PX = 3
#: Cell texts longer than this are shortened (the whole text is the tooltip).
MAX_CHARS = 36
BAR_ROLE = Qt.ItemDataRole.UserRole


def shorten(text: str) -> str:
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "\u2026"


class _BarDelegate(QStyledItemDelegate):
    """Paints the cell, then a bar along its bottom edge: (probability in [0, 1], fooled) from BAR_ROLE."""

    def paint(self, painter, option, index) -> None:
        super().paint(painter, option, index)
        bar = index.data(BAR_ROLE)
        if bar is None:
            return
        probability, fooled = bar
        rect = option.rect
        width = round((rect.width() - 4) * max(0.0, min(1.0, probability)))
        colour = FOOLED if fooled else HOLDS
        if not option.state & option.state.State_Enabled:
            colour = QColor("#bbb")
        painter.fillRect(QRect(rect.left() + 2, rect.bottom() - BAR_PX, width, BAR_PX), colour)


class DefenceTable(QTableWidget):
    """Shows a list of :class:`DefenceRow`; disabled (greyed) while its results are stale."""

    def __init__(self, parent=None):
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setWordWrap(False)
        self.setItemDelegateForColumn(ADVERSARIAL, _BarDelegate(self))
        self.spread(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.rows: list[DefenceRow] = []
        self._attack_mode: str | None = None

    def spread(self, on: bool) -> None:
        """Columns of equal width (presenter mode), or as wide as their texts with the adversarial's
        (and its bar) taking the rest."""
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch if on else QHeaderView.ResizeMode.ResizeToContents)
        if not on:
            header.setSectionResizeMode(ADVERSARIAL, QHeaderView.ResizeMode.Stretch)

    def show_rows(self, rows: list[DefenceRow], attack_mode: str | None = None) -> None:
        """Replace the rows (cells shortened to :data:`MAX_CHARS`, whole in the tooltip); ``attack_mode``
        (``"adaptive attack"``), if given, is named in the first column's header."""
        self._attack_mode = attack_mode
        first = COLUMNS[0] if attack_mode is None else f"{COLUMNS[0]} ({attack_mode})"
        self.setHorizontalHeaderLabels((first, *COLUMNS[1:]))
        self.rows = list(rows)
        self.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row.texts()):
                item = QTableWidgetItem(shorten(text))
                if text != item.text():
                    item.setToolTip(text)
                if c == ADVERSARIAL and row.adversarial_p is not None:
                    item.setData(BAR_ROLE, (row.adversarial_p, row.fooled))
                if c == len(COLUMNS) - 1 and row.fooled is not None and self.isEnabled():  # else grey
                    item.setForeground(FOOLED if row.fooled else HOLDS)
                self.setItem(r, c, item)
        self._fit_rows()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            self._fit_rows()
        elif event.type() == event.Type.EnabledChange:  # the verdicts' colours go grey, or come back
            self.show_rows(self.rows, self._attack_mode)

    def _fit_rows(self) -> None:
        """Rows one line of the current font high, with room for the bar."""
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + BAR_PX + 5)

    def texts(self) -> list[list[str]]:
        """The cells' texts, row by row."""
        return [[self.item(r, c).text() for c in range(self.columnCount())] for r in range(self.rowCount())]

    def needed_height(self) -> int:
        """Pixels to show the header and every row without scrolling."""
        rows = sum(self.rowHeight(r) for r in range(self.rowCount()))
        return self.horizontalHeader().height() + rows + 2 * self.frameWidth()
