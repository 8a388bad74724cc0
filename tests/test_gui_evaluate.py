"""The Evaluate workspace, offscreen with pytest-qt, on the shipped digit model and held-out digits."""

from __future__ import annotations

import dataclasses
import json

import pytest
from PySide6.QtWidgets import QMessageBox

from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.evaluate.eta import Eta, format_seconds
from inspector.gui.workspaces.evaluate.state import DIGIT_EPS, NO_DATA, PHOTO_EPS, EvaluateState

WAIT_MS = 120_000


@pytest.fixture
def main(qtbot, tmp_path):
    """The main window on mnist-standard (CPU), once the Evasion workspace has loaded, the Evaluate tab current."""
    state = EvaluateState(attacks=["fgsm"], eps="0, 8/255, 0.2", limit=20, out=str(tmp_path / "run"))
    win = MainWindow(
        Session(model="mnist-standard", device="cpu"), Settings(tmp_path / "settings.json"), states={"evaluate": state}
    )
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.show()
    win.tabs.setCurrentWidget(win.workspaces["evaluate"])
    yield win
    win.close()


def test_evaluation_fills_the_table_and_curve_and_saves_a_report(qtbot, main, tmp_path):
    ws = main.workspaces["evaluate"]
    partials, reports = [], []
    ws.state.events.result.connect(lambda result: partials.append(result))
    ws.state.events.progress.connect(lambda report: report is not None and reports.append(report))
    with qtbot.waitSignal(ws.evaluation_finished, timeout=WAIT_MS) as done:
        ws.attack_panel.run_button.click()
    result = done.args[0]
    assert not result.stopped and result.images == 20
    assert any(r is not None and r is not result for r in partials)  # results arrived before the end
    assert ws.results.table.rowCount() == 3
    cells = [ws.results.table.item(0, j).text() for j in range(ws.results.table.columnCount())]
    assert cells[1] == "fgsm" and cells[5] == "20" and "\u2013" in cells[4]
    assert [ws.results.table.item(i, 2).text() for i in range(3)] == ["0/255", "8/255", "51/255"]  # as the axis
    xs, ys = ws.curve.points()[("none", "fgsm")]
    assert xs == [0, 8, pytest.approx(51)]
    assert ys[0] == pytest.approx(100 * result.clean["none"]["accuracy"]) and ys[2] < ys[0]
    bar = ws.attack_panel.progress
    assert bar.value() == bar.maximum() and bar.text() == "20 / 20 images"
    assert any(0 < r.within_batch < 20 for r in reports)  # the bar moved within the one batch of 20
    assert "sanity" in ws.results.sanity.text()
    flagged = dataclasses.replace(result, sanity=[{"check": "more steps", "status": "flag", "detail": "x5 < x1"}])
    ws.results.set_result(flagged)
    assert "flagged" in ws.results.sanity.text() and "x5 &lt; x1" in ws.results.sanity.text()
    ws.results.set_result(result)
    report = tmp_path / "report.html"
    assert ws.save_report(str(report))
    page = report.read_text(encoding="utf-8")
    assert "Robustness of mnist-standard" in page
    assert page.count("where the model looks on ") == len(ws.state.result.examples) > 0  # the examples' maps
    main.grab().save(str(tmp_path / "evaluate.png"))
    ticks = ws.curve.plot.getAxis("bottom")
    ws.set_text_scale(1.5)
    assert ticks.style["tickFont"].pointSizeF() == pytest.approx(13.5)
    assert ws.curve.points()[("none", "fgsm")] == (xs, ys)  # redrawn at the new size


def test_cancel_keeps_the_finished_records_and_a_second_run_continues(qtbot, main, tmp_path):
    ws = main.workspaces["evaluate"]
    ws.state.attacks, ws.state.steps, ws.state.eps = ["pgd"], 10, "8/255, 0.2"

    def cancel_after_first_batch(progress):  # one batch of 20 digits: stop once its second budget starts
        if progress is not None and "eps 51/255" in progress.stage:  # 0.2, in grey levels
            ws.cancel()

    ws.state.events.progress.connect(cancel_after_first_batch)
    with qtbot.waitSignal(ws.evaluation_finished, timeout=WAIT_MS) as done:
        ws.run()
    assert done.args[0].stopped
    records = (tmp_path / "run" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    kept = {(r["attack"], r["eps"]) for r in map(json.loads, records)}
    assert ("clean", None) in kept and ("pgd", 0.2) not in kept
    assert [eps for attack, eps in kept if attack == "pgd"] == [pytest.approx(8 / 255)]
    assert "stopped" in ws.results.summary.text()
    ws.state.events.progress.disconnect(cancel_after_first_batch)
    assert ws.state.resumes() and "Run continues it" in ws.data_panel.out_label.text()
    with qtbot.waitSignal(ws.evaluation_finished, timeout=WAIT_MS) as done:
        ws.run()
    result = done.args[0]
    assert not result.stopped and result.config.resume
    assert {r["n"] for r in result.robust} == {20}


def test_the_curve_fills_in_batch_by_batch(qtbot, main):
    ws = main.workspaces["evaluate"]
    ws.state.limit, ws.state.eps = 200, "0, 0.2"
    seen = []
    ws.state.events.result.connect(lambda result: seen.append(None if result is None else result.robust[-1]["n"]))
    with qtbot.waitSignal(ws.evaluation_finished, timeout=WAIT_MS):
        ws.run()
    assert seen == [128, 200, 200]  # two batches (128 digits, then the 72 left), the final result


def test_a_folder_of_other_settings_is_refused_with_a_message(qtbot, main, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    ws = main.workspaces["evaluate"]
    with qtbot.waitSignal(ws.evaluation_finished, timeout=WAIT_MS):
        ws.run()
    ws.state.eps = "0.1"
    with qtbot.waitSignal(main.workspaces["evaluate"].shell.runner.failed, timeout=WAIT_MS):
        ws.run()
    assert len(shown) == 1 and "another configuration" in shown[0]
    assert ws.attack_panel.run_button.isEnabled()


def test_defences_add_defended_and_adaptive_rows_and_lines(qtbot, main):
    ws = main.workspaces["evaluate"]
    ws.state.eps = "0.2"
    ws.defense_panel.checkboxes["jpeg"].setChecked(True)
    ws.defense_panel.adaptive.setChecked(True)
    assert ws.state.defenses == ["jpeg:quality=75"] and ws.state.adaptive
    with qtbot.waitSignal(ws.evaluation_finished, timeout=WAIT_MS):
        ws.attack_panel.run_button.click()
    settings = [ws.results.table.item(i, 0).text() for i in range(ws.results.table.rowCount())]
    assert settings == [
        "no defence",
        "defended, non-adaptive attack (made on the bare model)",
        "defended, adaptive attack (BPDA / EOT through the defences)",
    ]
    assert set(ws.curve.points()) == {("none", "fgsm"), ("defended", "fgsm"), ("adaptive", "fgsm")}


def test_eta_counts_from_the_first_report():
    now = [0.0]
    eta = Eta(clock=lambda: now[0])
    assert eta.update(40, 100) is None  # a resumed run starts at 40
    now[0] = 10.0
    assert eta.update(50, 100) == pytest.approx(50.0)
    assert format_seconds(50) == "50 s" and format_seconds(185) == "3 min 5 s" and format_seconds(4320) == "1 h 12 min"


def test_another_model_clears_the_results_of_the_previous_one(qtbot, main):
    ws = main.workspaces["evaluate"]
    with qtbot.waitSignal(ws.evaluation_finished, timeout=WAIT_MS):
        ws.run()
    assert ws.results.table.rowCount() == 3 and ws.save_button.isEnabled()
    with qtbot.waitSignal(main.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        main.workspaces["evaluate"].shell.session.model = "mnist-pgd-at"
    assert ws.state.result is None and ws.results.table.rowCount() == 0 and ws.curve.points() == {}
    assert not ws.save_button.isEnabled()


def test_the_default_data_and_budgets_follow_the_model(qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    win = MainWindow(Session(model="mnist-standard", device="cpu"), Settings(tmp_path / "settings.json"))
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.show()
    win.statusBar().showMessage("attacking mnist-standard\u2026")
    ws = win.workspaces["evaluate"]
    win.tabs.setCurrentWidget(ws)
    assert win.statusBar().currentMessage() == ""  # the Evasion tab's message stays there
    assert win.summary.text() == ""  # and so does its summary (model and device, or the last run)
    win.tabs.setCurrentWidget(win.workspaces["evasion"])
    assert win.summary.text().startswith("device cpu")
    win.tabs.setCurrentWidget(ws)
    assert (ws.state.data, ws.state.eps) == ("mnist-heldout", DIGIT_EPS)  # a digit model: digits, up to 0.3
    assert ws.attack_panel.eps.text() == DIGIT_EPS
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        ws.shell.session.model = "efficientnet-lite0"
    assert (ws.state.data, ws.state.eps) == (NO_DATA, PHOTO_EPS) and ws.attack_panel.eps.text() == PHOTO_EPS
    assert "choose a folder of labelled photos" in ws.data_panel.data_label.text()
    ws.run()  # no dialog stuck at loading: one message, nothing runs
    assert len(shown) == 1 and "choose a folder of labelled photos" in shown[0] and not win.busy()
    ws.state.eps = "0, 2/255"  # the user's own budgets stay
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        ws.shell.session.model = "mnist-pgd-at"
    assert (ws.state.data, ws.state.eps) == ("mnist-heldout", "0, 2/255")
    win.close()
