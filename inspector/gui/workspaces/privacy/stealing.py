"""The model stealing task: Copycat and Knockoff Nets against the chosen MNIST model, per query budget.

Its form (a :class:`~inspector.gui.param_form.ParamForm` of :class:`StealingSettings`, the
methods from their registry) picks the method, the budgets, the output mode and the epochs; its
view draws the agreement and accuracy of the copy against the queries (log
scale, with 95 % intervals and ART's demonstration in grey) and a table with
the PGD transfer rate. Each copy is saved in a new temporary folder, named in the table's caption.
"""

from __future__ import annotations

import math
import tempfile

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from inspector.core.privacy.plots import ART_REFERENCE, agreement_plot
from inspector.core.privacy.stealing import StealConfig, StealResult, parse_budgets, steal
from inspector.core.util.params import param_specs
from inspector.gui.jobs import Job, draws_global_rng
from inspector.gui.param_form import ParamForm
from inspector.gui.workspaces.privacy.state import PrivacyState, StealingSettings
from inspector.gui.workspaces.privacy.task import PrivacyTask, Progress, ResultView, TaskForm

COLUMNS = ("queries", "agreement [95 % CI]", "accuracy [95 % CI]", "PGD transfer [95 % CI]", "time")


class StealingForm(TaskForm):
    """The :class:`StealingSettings` on a :class:`ParamForm`: method, budgets, label-only output, epochs."""

    def __init__(self, state: PrivacyState, parent=None):
        super().__init__(state, parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.params = ParamForm(lambda name, value: setattr(self.state.stealing, name, value))
        layout.addWidget(self.params)
        self.show_state()

    def show_state(self) -> None:
        self.params.set_params(param_specs(StealingSettings), vars(self.state.stealing))


def use_stealing(state: PrivacyState, config: StealConfig) -> None:
    """Take a saved stealing run's victim, method, budgets, output and epochs."""
    state.victim = config.victim
    settings = state.stealing
    settings.method, settings.labels_only = config.method.strip().lower(), config.output == "label"
    settings.budgets, settings.epochs = ", ".join(str(b) for b in config.budgets), config.epochs or 0


#: The grey boxes: what they are, in the legend and (before a run) under the plot.
REFERENCE_LEGEND = "reference: ART's demo (agreement range)"
REFERENCE_NOTE = (
    "Grey boxes: the agreement range the Adversarial Robustness Toolbox's MNIST model-stealing demo "
    "reports at 1,000, 4,000 and 5,000 queries, to compare a run with. Run to add this victim's curve."
)


class StealingView(ResultView):
    """The agreement-vs-queries curve and the table of the rows."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.plot = pg.PlotWidget(background="w", title="copy vs victim, on the 2,000 held-out digits")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setLabel("left", "agreement / accuracy (%)")
        self.plot.setLabel("bottom", "queries (log scale)")
        self.legend = self.plot.addLegend(offset=(-10, -10))
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 3)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.caption)
        self.show_result(None)

    def show_result(self, result: StealResult | None) -> None:
        rows = sorted(result.rows, key=lambda r: r["budget"]) if result is not None else []
        self.plot.clear()
        self.legend.clear()
        self.rows = rows
        for q, low, high in ART_REFERENCE:
            self.plot.addItem(
                pg.BarGraphItem(
                    x=[math.log10(q)],
                    y0=[100 * low],
                    height=[100 * (high - low)],
                    width=0.05,
                    brush=pg.mkBrush(190, 190, 190),
                    pen=None,
                )
            )
        self.legend.addItem(
            pg.BarGraphItem(x=[0], height=[0], width=0, brush=pg.mkBrush(190, 190, 190)), REFERENCE_LEGEND
        )
        xs = [math.log10(r["budget"]) for r in rows]
        for key, colour, style in (
            ("agreement", "#1565c0", Qt.PenStyle.SolidLine),
            ("accuracy", "#ef6c00", Qt.PenStyle.DashLine),
        ):
            ys = [100 * r[key]["rate"] for r in rows]
            self.plot.plot(
                xs,
                ys,
                name=key,
                symbol="o",
                symbolSize=7,
                symbolBrush=colour,
                symbolPen=None,
                pen=pg.mkPen(colour, width=2, style=style),
            )
        if rows:
            self.plot.addItem(
                pg.ErrorBarItem(
                    x=_array(xs),
                    y=_array([100 * r["agreement"]["rate"] for r in rows]),
                    top=_array([100 * (r["agreement"]["high"] - r["agreement"]["rate"]) for r in rows]),
                    bottom=_array([100 * (r["agreement"]["rate"] - r["agreement"]["low"]) for r in rows]),
                    beam=0.02,
                    pen=pg.mkPen("#1565c0"),
                )
            )
        ticks = sorted({r["budget"] for r in rows} | {1000, 5000})
        self.plot.getAxis("bottom").setTicks([[(math.log10(q), f"{q:,}") for q in ticks]])
        self.plot.setXRange(math.log10(min(ticks) / 1.5), math.log10(max(ticks) * 1.5), padding=0)
        lowest = min((100 * r[k]["low"] for r in rows for k in ("agreement", "accuracy")), default=50)
        self.plot.setYRange(min(50, 10 * math.floor(lowest / 10)), 100, padding=0.02)
        self.table.setRowCount(len(rows))
        for i, r in enumerate(rows):
            cells = [
                f"{r['budget']:,}",
                _rate(r["agreement"]),
                _rate(r["accuracy"]),
                _rate(r["transfer"]),
                f"{r['seconds']:.0f} s",
            ]
            for j, text in enumerate(cells):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        if result is None:
            self.caption.setText(REFERENCE_NOTE)
        else:
            state = "finished" if result.finished else "so far"
            self.caption.setText(
                f"{result.config.method}, {'labels only' if result.config.output == 'label' else 'probabilities'}"
                f" ({state}); the copies are in {result.out}"
                if result.out
                else ""
            )


def _array(values):
    import numpy as np

    return np.asarray(values, dtype=float)


def _rate(r: dict | None) -> str:
    return "-" if r is None else f"{r['rate']:.1%} [{r['low']:.1%}, {r['high']:.1%}]"


@draws_global_rng
def run_stealing(job: Job, state: PrivacyState) -> StealResult:
    """Steal ``state.victim`` with the state's choices into a new folder (see :func:`steal`)."""
    settings = state.stealing
    config = StealConfig(
        victim=state.victim,
        method=settings.method,
        budgets=parse_budgets(settings.budgets),
        output="label" if settings.labels_only else "probabilities",
        epochs=settings.epochs or None,
    )
    config.check()
    out = tempfile.mkdtemp(prefix="inspector-steal-", dir=settings.copies_folder)
    shown = {"rows": 0}

    def on_progress(p) -> None:
        within = p.epoch / p.epochs if p.epochs else (0.9 if p.stage == "measuring" else 0.0)
        epoch = f" epoch {p.epoch}/{p.epochs}" if p.epochs else ""
        job.report(
            Progress(
                int(100 * (p.budget_index + within)),
                100 * p.budgets,
                f"budget {p.budget:,} ({p.budget_index + 1}/{p.budgets}): {p.stage}{epoch}, {p.queries:,} queries",
            )
        )
        if len(p.rows) > shown["rows"]:
            shown["rows"] = len(p.rows)
            job.report(("partial", StealResult(config, p.rows, float("nan"), False, 0.0, out)))

    return steal(config, out=out, on_progress=on_progress, should_stop=job.cancelled)


STEALING = PrivacyTask(
    name="stealing",
    title="Model stealing",
    description="Query the victim through the oracle (probabilities or top-1 label) with unlabelled digits, "
    "train a copy, and measure its agreement with the victim at each budget. Copycat "
    "(Correia-Silva et al. 2018, arXiv:1806.05476); Knockoff Nets, random or adaptive "
    "(Orekondy et al. 2019, arXiv:1812.02766).",
    form=StealingForm,
    view=StealingView,
    run=run_stealing,
    figure=lambda result: agreement_plot([result.to_dict()]),
    to_dict=lambda result: result.to_dict(),
    use=use_stealing,
)
