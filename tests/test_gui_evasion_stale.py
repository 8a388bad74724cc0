"""Nothing stale in the Evasion view: results that no longer match the inputs are marked, a new
run clears the previous verdict as it starts, and the keys (Ctrl+R, Space, arrows, Esc) do what
they say. On the small digit model: each attack takes a fraction of a second."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from test_gui_evasion_layout import WAIT_MS, digit_window

from inspector.core.io.resources import resource_path

TABS = ["Probabilities", "Before and after defences", "Attack progress"]


def run(qtbot, ev):
    with qtbot.waitSignal(ev.attack_finished, timeout=WAIT_MS) as blocker:
        ev.run_attack()
    return blocker.args[0]


def assert_current(ev, where: str) -> None:
    assert not ev.results_stale(), where
    assert ev.defence_table.isEnabled(), where
    assert [ev.results.details.tabText(i) for i in range(3)] == TABS, where
    assert not ev.results.verdict.full_text().startswith("stale"), where


def assert_stale(ev, where: str) -> None:
    assert ev.results_stale(), where
    assert not ev.defence_table.isEnabled(), where
    assert [ev.results.details.tabText(i) for i in range(3)] == [f"{t} (stale)" for t in TABS[:2]] + TABS[2:], where
    assert ev.results.verdict.full_text().startswith("stale, the inputs changed (run again): "), where


def test_a_changed_input_marks_the_results_stale_until_it_is_changed_back(qtbot, tmp_path):
    win = digit_window(qtbot, tmp_path, (1366, 768))
    ev = win.workspaces["evasion"]
    ev.defense_panel.checkboxes["jpeg"].setChecked(True)
    run(qtbot, ev)
    assert_current(ev, "after the run")
    panel, defences = ev.attack_panel, ev.defense_panel

    def quality():  # the form is rebuilt when the choices change: its editor is looked up each time
        form = defences.forms["jpeg"][2].layout()
        return form.itemAt(0, form.ItemRole.FieldRole).widget()

    changes = {
        "a defence": (
            lambda: defences.checkboxes["bitdepth"].setChecked(True),
            lambda: defences.checkboxes["bitdepth"].setChecked(False),
        ),
        "a defence's value": (lambda: quality().setValue(50), lambda: quality().setValue(75)),
        "adaptive": (lambda: defences.adaptive.setChecked(True), lambda: defences.adaptive.setChecked(False)),
        "a detector": (
            lambda: defences.checkboxes["squeeze"].setChecked(True),
            lambda: defences.checkboxes["squeeze"].setChecked(False),
        ),
        "an attack parameter": (
            lambda: panel.form.editors["steps"].setValue(5),
            lambda: panel.form.editors["steps"].setValue(3),
        ),
        "the attack": (
            lambda: panel.attack_combo.setCurrentIndex(panel.attack_combo.findData("fgsm")),
            lambda: panel.attack_combo.setCurrentIndex(panel.attack_combo.findData("pgd")),
        ),
        "the target": (lambda: panel.class_picker.set_target(3), lambda: panel.class_picker.set_target(None)),
        "a compared model": (
            lambda: ev.compare_panel.checkboxes["mnist-pgd-at"].setChecked(True),
            lambda: ev.compare_panel.checkboxes["mnist-pgd-at"].setChecked(False),
        ),
    }
    for what, (change, undo) in changes.items():
        change()
        assert_stale(ev, what)
        undo()
        assert_current(ev, what)  # the same inputs as the run's: its results hold again

    # the model: stale at once, cleared once the image has loaded with the new one
    with qtbot.waitSignal(ev.preview_ready, timeout=WAIT_MS):
        win.session.model = "mnist-pgd-at"
        assert_stale(ev, "the model")
    assert ev.state.inspection is None and ev.results.verdict.full_text().endswith(": Ctrl+R runs the attack")
    assert [row[2:] for row in ev.defence_table.texts()] == [["\u2014", "\u2014"]] * 2  # no defence, jpeg: waiting

    # the image: cleared
    run(qtbot, ev)
    with qtbot.waitSignal(ev.preview_ready, timeout=WAIT_MS):
        ev.open_image(str(resource_path("images", "mnist-3.png")))
    assert ev.state.inspection is None and ev.panes.arrays[2] is None
    win.close()


def test_a_new_run_clears_the_previous_verdict_as_it_starts(qtbot, tmp_path):
    win = digit_window(qtbot, tmp_path, (1366, 768))
    ev = win.workspaces["evasion"]
    first = run(qtbot, ev)
    assert ev.results.verdict.full_text().startswith(first.original.top_k[0]["name"])
    assert "Linf" in win.summary.text()
    buttons = (ev.attack_panel.run_button, ev.attack_panel.cancel_button)
    where = [button.mapTo(win, QPoint(0, 0)) for button in buttons]
    ev.state.params["pgd"]["steps"] = 100_000  # long enough to look at it while it runs
    with qtbot.waitSignal(ev.attack_finished, timeout=WAIT_MS):
        ev.run_attack()
        assert ev.state.inspection is None and ev.panes.arrays[2] is None  # at once, before any result
        assert ev.results.verdict.full_text() == "running PGD\u2026"
        assert win.summary.text() == "device cpu  \u00b7  model mnist-standard"  # not the last run's line
        assert ev.defence_table.texts() == [["no defence", ev.defence_table.texts()[0][1], "\u2014", "\u2014"]]
        assert ev.results.details.currentWidget() is ev.live_plot
        qtbot.waitUntil(lambda: ev.attack_panel.progress.value() >= 1, timeout=WAIT_MS)
        assert [button.mapTo(win, QPoint(0, 0)) for button in buttons] == where  # nothing jumps as it runs
        ev.attack_panel.cancel_button.click()
    assert ev.state.inspection is not None and not ev.results_stale()
    QApplication.processEvents()
    assert [button.mapTo(win, QPoint(0, 0)) for button in buttons] == where
    win.close()


def test_keys_run_step_through_the_samples_stop_and_leave_presenter_mode(qtbot, tmp_path):
    win = digit_window(qtbot, tmp_path, (1280, 720))
    ev = win.workspaces["evasion"]
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)
    with qtbot.waitSignal(ev.attack_finished, timeout=WAIT_MS):
        QTest.keyClick(win, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    with qtbot.assertNotEmitted(ev.preview_ready, wait=200):
        QTest.keyClick(win, Qt.Key.Key_Right)  # the arrows belong to the controls outside presenter mode
    win.set_presentation(True, full_screen=False)
    with qtbot.waitSignal(ev.preview_ready, timeout=WAIT_MS):
        QTest.keyClick(win, Qt.Key.Key_Right)
    assert ev.state.image.endswith("mnist-9.png")  # the sample after mnist-7
    with qtbot.waitSignal(ev.preview_ready, timeout=WAIT_MS):
        QTest.keyClick(win, Qt.Key.Key_Left)
    assert ev.state.image.endswith("mnist-7.png")
    ev.state.params["pgd"]["steps"] = 100_000
    with qtbot.waitSignal(ev.attack_finished, timeout=WAIT_MS) as blocker:
        QTest.keyClick(win, Qt.Key.Key_Space)
        qtbot.waitUntil(lambda: ev.attack_panel.progress.value() >= 1, timeout=WAIT_MS)
        QTest.keyClick(win, Qt.Key.Key_Escape)  # stops the run, stays in presenter mode
    assert blocker.args[0].attack.cancelled and win.presenting()
    assert ev.results.verdict.full_text().startswith("cancelled after ")
    QTest.keyClick(win, Qt.Key.Key_Escape)
    assert not win.presenting() and ev.side_column.isVisible()
    win.close()
