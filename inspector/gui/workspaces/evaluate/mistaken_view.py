"""Who is mistaken for whom: the source-class -> adversarial-class heatmap of a result, the phrase
of each class, and, for a targeted evaluation, the success per target class.

A combo picks the setting, attack and budget (the report's choice first, see
:func:`inspector.core.evaluation.report_mistaken.shown`); the heatmap's rows are the true classes
with an image fooled, its columns the classes they are read as, named in a rotated header.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.core.evaluation import EvaluationResult
from inspector.core.evaluation.mistaken import Mistaken, phrase
from inspector.core.evaluation.report import SETTINGS
from inspector.core.evaluation.report_mistaken import shown, title

#: The heatmap's colour at a share of 1 of the row's images attacked.
HEAT = QColor(198, 40, 40)
#: The tallest the rotated column labels get, in pixels; longer class names are elided (their tooltip has them).
MAX_LABEL = 110
TARGET_HEADER = ["target class", "images aimed", "reached", "success", "95 % CI (Wilson)"]


class RotatedHeader(QHeaderView):
    """A horizontal header whose labels read bottom to top, so long class names take no width."""

    def __init__(self, parent=None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

    def sectionSizeFromContents(self, logicalIndex: int) -> QSize:
        text = str(self.model().headerData(logicalIndex, self.orientation()) or "")
        metrics = self.fontMetrics()
        return QSize(metrics.height() + 8, min(metrics.horizontalAdvance(text), MAX_LABEL) + 12)

    def paintSection(self, painter: QPainter, rect: QRect, logicalIndex: int) -> None:
        painter.save()
        super().paintSection(painter, rect, -1)  # the frame and background, no text
        painter.restore()
        text = str(self.model().headerData(logicalIndex, self.orientation()) or "")
        painter.save()
        painter.translate(rect.left(), rect.bottom())
        painter.rotate(-90)
        box = QRect(6, 0, rect.height() - 12, rect.width())
        shown_text = self.fontMetrics().elidedText(text, Qt.TextElideMode.ElideRight, box.width())
        painter.drawText(box, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown_text)
        painter.restore()


class MistakenView(QWidget):
    """The matrices of an :class:`EvaluationResult` (``result.mistaken``) and its ``targets`` rows."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result: EvaluationResult | None = None
        self.choices: list[Mistaken] = []
        self._rows: list[int] = []  # the heatmap's true classes, top to bottom
        self.combo = QComboBox()
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.currentIndexChanged.connect(self._show)
        self.note = QLabel("Run an evaluation to see which class each fooled image is read as.")
        self.note.setWordWrap(True)
        self.heatmap = QTableWidget(0, 0)
        self.heatmap.setHorizontalHeader(RotatedHeader(self.heatmap))
        self.heatmap.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.heatmap.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.heatmap.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.heatmap.currentCellChanged.connect(lambda row, *_: self._select_phrase(row))
        self.phrases = QListWidget()
        self.phrases.setWordWrap(True)
        self.phrases.setAlternatingRowColors(True)
        self.targets = QTableWidget(0, len(TARGET_HEADER))
        self.targets.setHorizontalHeaderLabels(TARGET_HEADER)
        self.targets.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.targets.verticalHeader().setVisible(False)
        self.targets.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.targets_label = QLabel("<b>Success per target class</b>")
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(QLabel("<b>Each class in words</b> (of its images attacked)"))
        side_layout.addWidget(self.phrases, 2)
        side_layout.addWidget(self.targets_label)
        side_layout.addWidget(self.targets, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.heatmap)
        split.addWidget(side)
        split.setSizes([560, 380])
        top = QHBoxLayout()
        top.addWidget(QLabel("Matrix of"))
        top.addWidget(self.combo)
        top.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.note)
        layout.addWidget(split, 1)
        self.set_result(None)

    def set_result(self, result: EvaluationResult | None) -> None:
        """Show ``result``'s matrices, the report's first; keep the chosen one where the new result has it."""
        previous = self.choices[self.combo.currentIndex()] if self.choices and self.combo.currentIndex() >= 0 else None
        self.result = result
        self.choices = list(result.mistaken) if result is not None else []
        first = shown(result) if result is not None else []
        keys = [(m.setting, m.attack, m.eps) for m in self.choices]
        wanted = (previous.setting, previous.attack, previous.eps) if previous is not None else None
        index = keys.index(wanted) if wanted in keys else (self.choices.index(first[0]) if first else -1)
        self.combo.blockSignals(True)
        self.combo.clear()
        norm = result.config.norm if result is not None else "linf"
        self.combo.addItems([title(m, norm, SETTINGS) for m in self.choices])
        self.combo.setCurrentIndex(index)
        self.combo.blockSignals(False)
        self.combo.setEnabled(bool(self.choices))
        self._show(index)

    def _show(self, index: int) -> None:
        m = self.choices[index] if 0 <= index < len(self.choices) else None
        names = self.result.class_names if self.result is not None else ()
        self.heatmap.clear()
        self.phrases.clear()
        rows = sorted({s for s, _ in m.counts}) if m is not None else []
        columns = sorted({a for _, a in m.counts}) if m is not None else []
        self.heatmap.setRowCount(len(rows))
        self.heatmap.setColumnCount(len(columns))
        self.heatmap.setVerticalHeaderLabels([names[s] for s in rows])
        for j, a in enumerate(columns):
            label = QTableWidgetItem(names[a])
            label.setToolTip(f"read as {names[a]}")
            self.heatmap.setHorizontalHeaderItem(j, label)
        if m is None:
            self.note.setText("Run an evaluation (a budget above 0) to see which class each fooled image is read as.")
        else:
            fooled = sum(m.counts.values())
            self.note.setText(
                f"{fooled} of {sum(m.attacked.values())} images attacked were fooled. Rows: the true class; "
                "columns: the class it is read as (the shade is the share of the row's images attacked)."
            )
            for i, s in enumerate(rows):
                for j, a in enumerate(columns):
                    self.heatmap.setItem(i, j, _cell(m.counts.get((s, a), 0), m.attacked[s], names[s], names[a]))
            self.phrases.addItems([phrase(m, c, names) for c in sorted(m.attacked)])
        self._rows = rows
        self._show_targets(m)

    def _select_phrase(self, row: int) -> None:
        if self.choices and 0 <= row < len(self._rows):
            m = self.choices[self.combo.currentIndex()]
            self.phrases.setCurrentRow(sorted(m.attacked).index(self._rows[row]))

    def _show_targets(self, m: Mistaken | None) -> None:
        rows = (
            [r for r in self.result.targets if (r["setting"], r["attack"], r["eps"]) == (m.setting, m.attack, m.eps)]
            if m is not None and self.result is not None
            else []
        )
        targeted = self.result is not None and bool(self.result.targets)
        self.targets.setVisible(targeted)
        self.targets_label.setVisible(targeted)
        if targeted and m is not None and not rows:
            self.targets_label.setText("<b>Success per target class</b>: choose one attack under Matrix of")
        else:
            self.targets_label.setText("<b>Success per target class</b>")
        self.targets.setRowCount(len(rows))
        names = self.result.class_names if self.result is not None else ()
        for i, r in enumerate(rows):
            cells = [
                names[r["target"]],
                str(r["n"]),
                str(r["reached"]),
                _pct(r["rate"]),
                f"{_pct(r['ci'][0])} \u2013 {_pct(r['ci'][1])}",
            ]
            for j, text in enumerate(cells):
                self.targets.setItem(i, j, QTableWidgetItem(text))


def _cell(k: int, n: int, source: str, read_as: str) -> QTableWidgetItem:
    item = QTableWidgetItem(str(k) if k else "")
    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    item.setToolTip(f"{source} read as {read_as}: {k} of {n} attacked")
    if k:
        share = k / n
        item.setBackground(QColor(HEAT.red(), HEAT.green(), HEAT.blue(), int(40 + 215 * share)))
        item.setForeground(QColor("white" if share > 0.45 else "black"))
    return item


def _pct(x: float) -> str:
    return "-" if math.isnan(x) else f"{100 * x:.1f} %"
