"""A membership-inference result on screen: the ROC curve on log-log axes with the operating
point at 1 % FPR, the AUC and TPR with their 95 % CIs, what the set size cannot measure,
and the most exposed training digits; a progress bar while the job runs."""

from __future__ import annotations

import json
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QProgressBar, QVBoxLayout, QWidget

from inspector.core.io.files import write_files
from inspector.core.io.image import to_pil
from inspector.core.privacy.membership import FPR, MembershipProgress, MembershipResult
from inspector.core.privacy.membership.figures import exposed_figure, roc_figure, summary
from inspector.core.util.errors import ExportError
from inspector.gui.workspaces.privacy.task import ResultView

CURVE, CHANCE, POINT = "#1565c0", "#9e9e9e", "#c62828"
DIGIT_SCALE = 3
COLUMNS = 4


class MembershipView(ResultView):
    """Shows one :class:`~inspector.core.privacy.membership.MembershipResult` (:meth:`show_result`)
    and the progress of the job making it (:meth:`show_progress`)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result: MembershipResult | None = None
        self.title = QLabel("no membership result yet")
        self.title.setStyleSheet("font-weight: bold")
        self.figures = QLabel("")
        self.figures.setWordWrap(True)
        self.figures.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.figures.setMinimumHeight(4 * self.figures.fontMetrics().lineSpacing() + 8)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.status = QLabel("")
        self.plot = pg.PlotWidget(background="w", title="ROC (log-log)")
        self.plot.setLogMode(x=True, y=True)
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "false positive rate")
        self.plot.setLabel("left", "true positive rate")
        self.plot.setMinimumSize(360, 320)
        self.plot.getAxis("left").setWidth(52)
        self.digits = QGridLayout()
        exposed_box = QWidget()
        exposed_box.setMinimumWidth(COLUMNS * (28 * DIGIT_SCALE + 16))
        exposed = QVBoxLayout(exposed_box)
        self.exposed_title = QLabel("most exposed training digits")
        self.exposed_title.setWordWrap(True)
        exposed.addWidget(self.exposed_title)
        exposed.addLayout(self.digits)
        exposed.addStretch(1)
        row = QHBoxLayout()
        row.addWidget(self.plot, 3)
        row.addWidget(exposed_box, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.figures)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(row, 1)

    def show_progress(self, p: MembershipProgress) -> None:
        """Update the progress bar from a job report."""
        self.progress.setVisible(True)
        self.progress.setRange(0, max(p.total, 1))
        self.progress.setValue(p.done)
        text = f"{p.stage}: {p.done}/{p.total}"
        if p.reference is not None and p.reference.training is not None:
            t = p.reference.training
            text = (
                f"reference model {p.reference.model} of {p.reference.count} "
                f"({p.reference.ready} ready): epoch {t.epoch}/{t.epochs}, batch {t.batch}/{t.batches}"
            )
        self.status.setText(text)

    def show_result(self, result: MembershipResult | None) -> None:
        """Draw ``result``; None (cleared, or a cancelled job) says what was kept."""
        self.progress.setVisible(False)
        if result is None:
            if self.result is not None or self.status.text():
                self.status.setText("cancelled: finished reference models are kept; Run again to continue")
            return
        self.result = result
        self.status.setText(f"done in {result.seconds:.0f} s")
        c = result.config
        self.title.setText(
            f"{c.model}, {c.attack}: {result.members} random members vs {result.non_members} non-members"
        )
        lines = [summary(result) + " (95 % bootstrap CIs)"]
        if result.same_writers_auc is not None:
            s = result.same_writers_auc
            lines.append(
                f"same writers only (members from digits 5000-7999): AUC {s.value:.3f} [{s.low:.3f}, {s.high:.3f}]"
            )
        lines += [f"<span style='color:#757575'>not measured: {u}</span>" for u in result.unmeasurable]
        self.figures.setText("<br>".join(lines))
        self._draw_roc(result)
        self._draw_digits(result)

    def export(self, folder: str) -> None:
        """Write the shown result as ``inspector membership --out`` does: membership.json (the
        config reproduces the run), roc.png and exposed.png (for slides), all or none.

        Raises:
            ExportError: nothing shown yet, or the folder cannot be written.
        """
        if self.result is None:
            raise ExportError("no membership result to export yet: run an attack first")
        result = self.result
        write_files(
            folder,
            {
                "membership.json": lambda p: p.write_text(
                    json.dumps(result.to_json(), indent=2) + "\n", encoding="utf-8"
                ),
                "roc.png": lambda p: roc_figure(result).save(p),
                "exposed.png": lambda p: exposed_figure(result).save(p),
            },
        )

    def _draw_roc(self, result: MembershipResult) -> None:
        self.plot.clear()
        low = 10 ** math.floor(math.log10(1 / max(result.non_members, 1)))
        keep = (result.fpr_curve > 0) & (result.tpr_curve > 0)
        self.plot.plot(result.fpr_curve[keep], result.tpr_curve[keep], pen=pg.mkPen(CURVE, width=2.5))
        chance = np.logspace(math.log10(low), 0, 20)
        self.plot.plot(chance, chance, pen=pg.mkPen(CHANCE, width=1.5, style=Qt.PenStyle.DashLine))
        if result.tpr is not None and result.tpr.value > 0:
            self.plot.plot(
                [FPR],
                [result.tpr.value],
                pen=None,
                symbol="o",
                symbolSize=12,
                symbolPen=pg.mkPen(POINT, width=2.5),
                symbolBrush=None,
            )
            label = pg.TextItem(f"{result.tpr.value:.1%} at {FPR:.0%} FPR", color=POINT, anchor=(0, 0))
            label.setPos(math.log10(FPR) + 0.08, math.log10(result.tpr.value))
            self.plot.addItem(label)
        ticks = [[(e, f"{10.0**e:g}") for e in range(round(math.log10(low)), 1)], []]
        for name in ("bottom", "left"):
            self.plot.getAxis(name).setTicks(ticks)
        self.plot.setXRange(math.log10(low), 0, padding=0.02)
        self.plot.setYRange(math.log10(low), 0, padding=0.02)

    def _draw_digits(self, result: MembershipResult) -> None:
        while self.digits.count():
            item = self.digits.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.exposed_title.setText("most exposed training digits\n(risk: share of non-members scoring lower)")
        for j, i in enumerate(result.exposed):
            picture = QLabel()
            picture.setPixmap(_pixmap(result.exposed_images[j]))
            picture.setToolTip(
                f"digit #{int(result.index[i])} of the MNIST test set, label "
                f"{int(result.exposed_labels[j])}, score {result.scores[i]:.4g}"
            )
            caption = QLabel(f"#{int(result.index[i])}: {int(result.exposed_labels[j])}\nrisk {result.risk[i]:.4f}")
            caption.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            cell = QVBoxLayout()
            holder = QWidget()
            holder.setLayout(cell)
            cell.setContentsMargins(2, 2, 2, 2)
            cell.addWidget(picture, alignment=Qt.AlignmentFlag.AlignHCenter)
            cell.addWidget(caption)
            row, column = divmod(j, COLUMNS)
            self.digits.addWidget(holder, row, column)


def _pixmap(digit) -> QPixmap:
    """A (1, 28, 28) digit in [0, 1] as a grey pixmap, upscaled DIGIT_SCALE times (nearest neighbour)."""
    pixels = np.ascontiguousarray(np.asarray(to_pil(digit).resize((28 * DIGIT_SCALE, 28 * DIGIT_SCALE))))
    h, w = pixels.shape
    return QPixmap.fromImage(QImage(pixels.data, w, h, w, QImage.Format.Format_Grayscale8).copy())
