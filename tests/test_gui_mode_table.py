"""The Threat model panel's "Compare output modes...", offscreen, on a shipped digit and mnist-standard."""

from __future__ import annotations

import pytest

from inspector.core.concealment.mode_sweep import MODES
from inspector.core.resources import resource_path
from inspector.gui.evasion.state import EvasionState
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings

WAIT_MS = 120_000


@pytest.fixture
def window(qtbot, tmp_path):
    state = EvasionState(image=str(resource_path("images", "mnist-7.png")))
    win = MainWindow(Session(model="mnist-standard", device="cpu"), Settings(tmp_path / "settings.json"),
                     states={"evasion": state})
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.show()
    yield win.workspaces["evasion"]
    win.close()


def compare(qtbot, workspace):
    with qtbot.waitSignal(workspace.modes_compared, timeout=WAIT_MS) as blocker:
        workspace.threat_panel.compare_modes.click()
    return blocker.args[0]


def choose(panel, threat: str) -> None:
    panel.threat_combo.setCurrentIndex(panel.threat_combo.findData(threat))


def test_square_table_says_it_cannot_run_label_only(qtbot, window, tmp_path):
    panel = window.threat_panel
    assert not panel.compare_modes.isVisibleTo(panel)          # white-box: nothing to compare
    choose(panel, "scores")
    assert window.state.attack == "square" and panel.compare_modes.isVisibleTo(panel)
    window.attack_panel.form.editors["max_queries"].setValue(60)
    sweep = compare(qtbot, window)
    assert [r.mode for r in sweep.rows] == list(MODES)
    texts = window.mode_table.texts()
    assert [t[0] for t in texts] == [r.title for r in sweep.rows]
    assert texts[-1][0] == "top-1 label only" and texts[-1][1].startswith("cannot run: Square Attack is score-based")
    for row, cells in zip(sweep.rows[:-1], texts[:-1]):
        assert row.ran and row.n == 1 and cells[1] == ("yes" if row.success else "no")
        if row.success:
            assert 1 <= int(cells[2]) <= 60
    window.mode_table.grab().save(str(tmp_path / "modes.png"))


def test_hopskipjump_table_runs_in_every_mode(qtbot, window):
    choose(window.threat_panel, "label-only")
    window.attack_panel.form.editors["max_queries"].setValue(60)
    sweep = compare(qtbot, window)
    assert all(r.ran for r in sweep.rows)
    texts = window.mode_table.texts()
    assert len(texts) == len(MODES) and all(len(t) == 6 for t in texts)
    full, label = texts[0], texts[-1]
    assert full[1] == "yes" and full[1:5] == label[1:5]       # HopSkipJump reads only the top-1 of any answer
