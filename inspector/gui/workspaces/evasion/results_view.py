"""The Evasion workspace's centre: the three image panes, the "where the model looks" row, the verdict
line, and the results below them.

Below the panes, in an area of fixed height whatever the number of defences, three
tabs of the full width: the original's and the adversarial's probability bars (they
scroll when a model comparison brings more charts), the "before and after defences"
table (:class:`~inspector.gui.workspaces.evasion.defence_table.DefenceTable`) and the
live attack plot. The panes take the rest: at least 35 % of the window's height at
any size the window fits in (see :data:`BOTTOM_SHARE`).

In presenter mode the maps' toggle row, the bars and the tabs' bar are hidden: the panes, a large verdict
line and the defences table fill the view (the workspace adds its Run and Cancel row below), the table as tall as its rows need (at most
:data:`PRESENTER_TABLE_SHARE` of the height, scrolling beyond).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QFrame, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from inspector.gui.fit_label import FitLabel
from inspector.gui.image_panes import ImagePanes
from inspector.gui.live_plot import LivePlot
from inspector.gui.probabilities import ProbabilityPanel
from inspector.gui.workspaces.evasion.defence_table import DefenceTable
from inspector.gui.workspaces.evasion.explain_bar import ExplainBar

#: Height of the area below the panes: this share of the view's height, within [BOTTOM_MIN, BOTTOM_MAX] pixels.
BOTTOM_SHARE = 0.38
BOTTOM_MIN, BOTTOM_MAX = 170, 320
PRESENTER_TABLE_SHARE = 0.40
VERDICT_PT, PRESENTER_VERDICT_PT = 12.0, 24.0
#: In presenter mode the verdict is this many points per pixel of height, if that is more than PRESENTER_VERDICT_PT.
PRESENTER_VERDICT_PER_PIXEL = 1 / 30
#: The table's text in presenter mode, times the application's: this per 600 pixels of height,
#: within [1.2, 1.8] (1.2 at 720 pixels: all its rows leave the panes their size; 1.8 at 1080).
PRESENTER_TABLE_SCALE = (1 / 600, 1.2, 1.8)
#: Verdict colours: the attack fooled the model, the model held, the result is stale, nothing run yet.
VERDICT_COLOURS = {"fooled": "#c62828", "holds": "#2e7d32", "stale": "#9e9e9e", "idle": "#333333"}
CHARTS_TAB, DEFENCES_TAB, PROGRESS_TAB = "Probabilities", "Before and after defences", "Attack progress"


class ResultsView(QWidget):
    """The panes (``panes``), the maps' toggle (``explain_bar``), the verdict line (``verdict``), the bars (``probabilities``), the defences
    table (``defence_table``) and the live plot (``live_plot``), laid out for the normal or presenter mode."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.presenter = False
        self.panes = ImagePanes()
        self.explain_bar = ExplainBar()
        self.verdict = FitLabel(VERDICT_PT, bold=True)
        self.verdict.setContentsMargins(8, 0, 8, 0)
        self.probabilities = ProbabilityPanel()
        self.charts = QScrollArea()
        self.charts.setWidget(self.probabilities)
        self.charts.setWidgetResizable(True)
        self.charts.setFrameShape(QFrame.Shape.NoFrame)
        self.charts.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.defence_table = DefenceTable()
        self.live_plot = LivePlot()
        self.details = QTabWidget()
        self.details.setDocumentMode(True)
        self.details.addTab(self.charts, CHARTS_TAB)
        self.details.addTab(self.defence_table, DEFENCES_TAB)
        self.details.addTab(self.live_plot, PROGRESS_TAB)
        self.bottom = self.details
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.panes, 1)
        layout.addWidget(self.explain_bar)
        layout.addWidget(self.verdict)
        layout.addWidget(self.bottom)

    def set_text_scale(self, scale: float) -> None:
        """Text ``scale`` times the application's size: captions, bars, table, legend (not the verdict,
        whose size goes with the mode)."""
        font = QFont(QApplication.font())
        font.setPointSizeF(font.pointSizeF() * scale)
        self.setFont(font)
        self.panes.set_text_scale(scale)
        self.probabilities.set_text_scale(scale)

    def set_presenter(self, on: bool) -> None:
        """Presenter layout (panes, large verdict, defences table) or the normal one."""
        self.presenter = on
        self.details.tabBar().setVisible(not on)
        self.explain_bar.setVisible(not on)  # a control: the maps it asked for stay on the panes
        if on:
            self.details.setCurrentWidget(self.defence_table)
        self.defence_table.spread(on)
        self.fit_bottom()

    def show_progress(self) -> None:
        """Bring the live plot forward (a run starts), unless presenting."""
        if not self.presenter:
            self.details.setCurrentWidget(self.live_plot)

    def show_outcome(self, defended: bool) -> None:
        """Bring the defences table forward after a run with defences (or in presenter mode), else the bars."""
        self.details.setCurrentWidget(self.defence_table if defended or self.presenter else self.charts)

    def set_stale(self, stale: bool) -> None:
        """Mark the bars' and the table's tabs (and grey the table) while their result is stale."""
        for widget, title in ((self.charts, CHARTS_TAB), (self.defence_table, DEFENCES_TAB)):
            self.details.setTabText(self.details.indexOf(widget), f"{title} (stale)" if stale else title)
        self.defence_table.setEnabled(not stale)

    def set_verdict(self, text: str, kind: str) -> None:
        """Show ``text`` in the colour of ``kind``, a key of :data:`VERDICT_COLOURS`."""
        palette = self.verdict.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor(VERDICT_COLOURS[kind]))
        self.verdict.setPalette(palette)
        self.verdict.set_text(text)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_bottom()

    def fit_bottom(self) -> None:
        """Give the area below the panes its height for the current mode and size (in presenter mode,
        the table's and the verdict's text their size too)."""
        height = self.height()
        per_pixel, smallest, largest = PRESENTER_TABLE_SCALE
        scale = max(smallest, min(largest, height * per_pixel)) if self.presenter else 1.0
        font = QFont(QApplication.font())
        font.setPointSizeF(font.pointSizeF() * scale)
        if self.defence_table.font() != font:
            self.defence_table.setFont(font)
        verdict = (
            max(PRESENTER_VERDICT_PT, round(height * PRESENTER_VERDICT_PER_PIXEL)) if self.presenter else VERDICT_PT
        )
        if self.verdict.point_size() != verdict:
            self.verdict.set_point_size(verdict)
        if self.presenter:
            bottom = min(self.defence_table.needed_height(), round(PRESENTER_TABLE_SHARE * height))
        else:
            bottom = max(BOTTOM_MIN, min(BOTTOM_MAX, round(BOTTOM_SHARE * height)))
        if (self.bottom.minimumHeight(), self.bottom.maximumHeight()) != (bottom, bottom):
            self.bottom.setFixedHeight(bottom)
