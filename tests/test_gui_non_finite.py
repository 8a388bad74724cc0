"""The shared plot widgets skip NaN and infinite values instead of failing (pyqtgraph refuses NaN ranges)."""

from __future__ import annotations

import math

from inspector.gui.live_plot import LivePlot
from inspector.gui.probabilities import ProbabilityEntry, ProbabilityPanel


def test_live_plot_skips_non_finite_points(qtbot):
    plot = LivePlot()
    qtbot.addWidget(plot)
    plot.reset(4)
    for i, (loss, p) in enumerate([(math.nan, math.nan), (1.0, 0.9), (math.inf, 0.5), (2.0, -math.inf)], 1):
        plot.add(i, loss, p)
    plot.redraw()
    assert plot.iterations == [1, 2, 3, 4]
    assert list(plot.loss_curve.getData()[0]) == [2, 4] and list(plot.loss_curve.getData()[1]) == [1.0, 2.0]
    assert list(plot.prob_curve.getData()[0]) == [2, 3]
    low, high = plot.loss_plot.getViewBox().viewRange()[1]
    assert math.isfinite(low) and math.isfinite(high) and low < 1.0 < 2.0 < high


def test_live_plot_with_only_non_finite_values_draws_nothing(qtbot):
    plot = LivePlot()
    qtbot.addWidget(plot)
    plot.reset(2)
    plot.add(1, math.nan, math.nan)
    plot.redraw()
    assert plot.loss_curve.getData()[0] is None or len(plot.loss_curve.getData()[0]) == 0


def test_probability_bars_skip_non_finite_rows(qtbot):
    panel = ProbabilityPanel()
    qtbot.addWidget(panel)
    top = [{"index": 0, "name": "a", "probability": math.nan}, {"index": 1, "name": "b", "probability": 0.25}]
    panel.set_entries([ProbabilityEntry("original", top), ProbabilityEntry("all NaN", top[:1])])
    first, second = panel.plots
    assert first.getAxis("left")._tickLevels == [[(0, "b")]]
    assert second.getAxis("left")._tickLevels == [[]]
