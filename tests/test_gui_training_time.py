"""The Training-time workspace, offscreen with pytest-qt: a short poisoned training on real digits
(cancel, then resume from the checkpoint), the bars and curve, and Neural Cleanse's triggers."""

from __future__ import annotations

import pytest

from inspector.core.io.resources import resource_path
from inspector.core.poisoning.neural_cleanse import CleanseSettings
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.evasion.state import EvasionState
from inspector.gui.workspaces.training_time.state import TrainingTimeState

WAIT_MS = 180_000
DIGIT = resource_path("images", "mnist-7.png")


@pytest.fixture
def main(qtbot, tmp_path):
    state = TrainingTimeState(rates="5%, 10%", epochs=2, folder=str(tmp_path / "ckpt"))
    win = MainWindow(
        Session(model="mnist-backdoor", device="cpu"),
        Settings(tmp_path / "settings.json"),
        states={"training-time": state, "evasion": EvasionState(image=str(DIGIT))},
    )
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.show()
    win.tabs.setCurrentWidget(win.workspaces["training-time"])
    yield win
    win.close()


def test_training_cancels_resumes_and_draws_the_figures(qtbot, main, tmp_path):
    ws = main.workspaces["training-time"]
    ws.limit = 600
    assert "label \u2192 0" in ws.examples.captions and not any("trained" in c for c in ws.examples.captions)

    # cancel in the first model's second epoch: its checkpoint stays
    def cancel_in_epoch_two(report):
        if getattr(report, "epoch", 0) == 2:
            ws.cancel()

    with qtbot.waitSignal(ws.training_finished, timeout=WAIT_MS) as stopped:
        ws.setup.train_button.click()
        ws._job.progress.connect(cancel_in_epoch_two)
    assert not stopped.args[0][-1].report.finished
    assert list((tmp_path / "ckpt").glob("*.ckpt"))
    assert "continues" in ws.setup.stage.text()
    with qtbot.waitSignal(ws.training_finished, timeout=WAIT_MS) as done:
        ws.setup.train_button.click()
    assert [t.report.finished for t in done.args[0]] == [True, True]
    assert len(ws.state.runs) == 2 and len(ws.charts.points) == 2
    assert not list((tmp_path / "ckpt").glob("*.ckpt"))
    assert any(c.startswith("says") for c in ws.examples.captions)
    ws.cleanse_settings = CleanseSettings(steps=20, batch_size=8)
    with qtbot.waitSignal(ws.scan_finished, timeout=WAIT_MS) as scanned:
        ws.setup.scan_button.click()
    assert len(scanned.args[0].triggers) == 10 and len(ws.triggers.captions) == 10
    assert "Neural Cleanse on the model trained here" in ws.cleanse_title.text()
    qtbot.wait(100)
    main.grab().save(str(tmp_path / "training-time.png"))


def test_evasion_stamps_the_trigger_and_shows_both_predictions(qtbot, main):
    ev = main.workspaces["evasion"]
    with qtbot.waitSignal(ev.stamped, timeout=WAIT_MS) as done:
        ev.trigger_panel.button.click()
    stamped = done.args[0]
    assert stamped.clean.label != 0 and stamped.stamped.label == 0  # mnist-backdoor's target
    assert ev.panes.captions[1].text.startswith("trigger") and ev.panes.captions[2].text.startswith("triggered: 0")


def test_the_neural_cleanse_settings_form_comes_from_the_registry_and_edits_the_scan(qtbot):
    from inspector.core.poisoning.model_scan import MODEL_SCANS
    from inspector.gui.workspaces.training_time.setup_panel import SetupPanel

    settings = CleanseSettings()
    panel = SetupPanel(TrainingTimeState(), lambda name, value: setattr(settings, name, value))
    qtbot.addWidget(panel)
    form = panel.scan_settings
    assert list(form.editors) == [s.name for s in MODEL_SCANS["neural-cleanse"].params()]
    assert form.editors["steps"].value() == 300
    form.editors["steps"].setValue(40)
    assert settings.steps == 40


def test_the_attack_settings_form_comes_from_the_registry_and_builds_the_configurations(qtbot):
    from inspector.core.poisoning.attacks import POISONING_ATTACKS
    from inspector.gui.param_form import AUTO
    from inspector.gui.workspaces.training_time.setup_panel import SetupPanel

    state = TrainingTimeState(rates="1%, 5%")
    panel = SetupPanel(state, lambda name, value: None)
    qtbot.addWidget(panel)
    form = panel.attack_settings
    shown = [s.name for s in POISONING_ATTACKS["badnets"].params() if s.name != "rate"]  # the rates field sweeps it
    assert list(form.editors) == shown
    form.editors["target"].setValue(3)
    panel.attack.setCurrentText("clean-label")
    assert list(form.editors) == [s.name for s in POISONING_ATTACKS["clean-label"].params() if s.name != "rate"]
    assert form.editors["target"].value() == 3  # kept across attacks
    eps = form.editors["eps"]
    assert eps.text() == AUTO and state.configs()[0].attack.budget() == 8.0  # none: by norm
    form.editors["norm"].setCurrentText("linf")
    assert state.configs()[0].attack.budget() == 0.3
    eps.setValue(0.1)
    configs = state.configs()
    assert [c.attack.name for c in configs] == ["clean-label", "clean-label"]
    assert [(c.attack.rate, c.attack.target, c.attack.eps) for c in configs] == [(0.01, 3, 0.1), (0.05, 3, 0.1)]
    eps.setValue(eps.minimum())
    assert state.configs()[0].attack.eps is None
