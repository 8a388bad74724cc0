"""The Evasion view holds at the demo's window sizes, with any number of defences, in both modes.

For 1280x720, 1366x768 and 1920x1080, each with 0, 1, 4 and all registered defences, in the
normal and the presenter layout: the window keeps its size, each image pane keeps its share of
the height (the image itself, fitted again after every resize), Run and Cancel are on screen, the view's own texts are whole (no label, header or
cell narrower than its text) and nothing lies outside the window. One window per size, on the
small digit model (an attack takes a fraction of a second).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QWidget

from inspector.core.defenses import DEFENSES
from inspector.core.io.resources import resource_path
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.evasion.state import EvasionState, default_params

WAIT_MS = 60_000
SIZES = [(1280, 720), (1366, 768), (1920, 1080)]
ALL_DEFENCES = [DEFENSES.make(name, {}).spec() for name in DEFENSES]
DEFENCE_COUNTS = [0, 1, 4, len(ALL_DEFENCES)]
#: The smallest side of each image pane, as a share of the window's height: normal, presenter.
PANE_SHARE = {False: 0.28, True: 0.38}
#: The panes' whole area (captions and legend included) in the normal layout, as a share of the height.
PANES_SHARE = 0.35


def digit_window(qtbot, tmp_path, size: tuple[int, int]) -> MainWindow:
    state = EvasionState(image=str(resource_path("images", "mnist-7.png")))
    state.params["pgd"] = default_params("pgd") | {"steps": 3}
    win = MainWindow(
        Session(model="mnist-standard", device="cpu"), Settings(tmp_path / "s.json"), states={"evasion": state}
    )
    qtbot.addWidget(win)
    win.resize(*size)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.show()
    return win


def on_screen(widget: QWidget) -> QRect:
    """``widget``'s rectangle in its window's coordinates."""
    return QRect(widget.mapTo(widget.window(), QPoint(0, 0)), widget.size())


def check_layout(win: MainWindow, size: tuple[int, int], presenter: bool, rows: int) -> None:
    ev = win.workspaces["evasion"]
    tabs = ev.results.details
    expected = ev.defence_table if presenter or rows > 1 else ev.results.charts  # what a run brings forward
    assert tabs.currentWidget() is expected
    tabs.setCurrentWidget(ev.defence_table)  # the user's click on its tab, in the normal layout
    QApplication.processEvents()
    where = f"{size[0]}x{size[1]} {'presenter' if presenter else 'normal'} {rows} rows"
    assert (win.width(), win.height()) == size, where
    height = size[1]
    for box, item in zip(ev.panes.boxes, ev.panes.items, strict=True):
        shown = item.sceneBoundingRect().intersected(box.sceneBoundingRect())  # the image's pixels on screen
        assert min(shown.width(), shown.height()) >= PANE_SHARE[presenter] * height, where
    if not presenter:
        assert ev.panes.height() >= PANES_SHARE * height, where
    panel = ev.attack_panel
    owned = [ev.panes, ev.results.verdict, ev.defence_table, panel.run_button, panel.cancel_button, panel.progress]
    for widget in owned:
        assert widget.isVisible() and win.rect().contains(on_screen(widget)), (where, widget)
    verdict = ev.results.verdict
    assert verdict.full_text() and verdict.text() == verdict.full_text(), where  # whole, not elided
    scale = ev.panes.scale_label
    assert scale.sizeHint().width() <= scale.width(), where
    table = ev.defence_table
    assert table.rowCount() == rows, where
    header = table.horizontalHeader()
    for column in range(table.columnCount()):
        assert header.sectionSize(column) >= max(table.sizeHintForColumn(column), header.sectionSizeHint(column)), (
            where,
            column,
        )
    assert not table.horizontalScrollBar().isVisible(), where
    assert table.needed_height() <= table.height(), where  # every row in view, no scrolling
    if presenter:
        assert not ev.side_column.isVisible() and not win.menuBar().isVisible(), where


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_the_evasion_view_fits_with_any_defences_in_both_modes(qtbot, tmp_path, size):
    win = digit_window(qtbot, tmp_path, size)
    ev = win.workspaces["evasion"]
    side_width = ev.side_column.width()
    for count in DEFENCE_COUNTS:
        ev.state.use_defenses(ALL_DEFENCES[:count])
        with qtbot.waitSignal(ev.attack_finished, timeout=WAIT_MS):
            ev.run_attack()
        rows = 1 + count + (count > 1)  # no defence, each, the pipeline
        for presenter in (False, True):
            win.set_presentation(presenter, full_screen=False)
            check_layout(win, size, presenter, rows)
    QApplication.processEvents()
    assert ev.side_column.width() == side_width  # leaving presenter mode restores the column
    win.resize(size[0] // 2, size[1] // 2)  # smaller, then back: the images fit again
    QApplication.processEvents()
    win.resize(*size)
    check_layout(win, size, False, rows)
    win.close()
