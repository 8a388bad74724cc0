"""The Privacy workspace, offscreen with pytest-qt: a tiny stealing run fills the curve and the table live and
exports; a cancelled run keeps what it finished; model inversion shows its grid."""

from __future__ import annotations

import json

import pytest

from inspector.core.privacy.inversion import MIFace
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.privacy.state import MembershipSettings, PrivacyState, StealingSettings
from inspector.gui.workspaces.privacy.tasks import TASKS

WAIT_MS = 180_000


@pytest.fixture
def main(qtbot, tmp_path):
    """The main window with the Privacy tab current, set for a tiny label-only stealing run."""
    state = PrivacyState(
        stealing=StealingSettings(
            budgets="100, 400", labels_only=True, epochs=1, method="copycat", copies_folder=str(tmp_path)
        ),
        inversion=MIFace(max_iterations=60),
    )
    win = MainWindow(
        Session(model="mnist-standard", device="cpu"), Settings(tmp_path / "settings.json"), states={"privacy": state}
    )
    qtbot.addWidget(win)
    win.show()
    win.tabs.setCurrentWidget(win.workspaces["privacy"])
    yield win
    win.close()


def test_the_picker_offers_each_registered_task_and_shows_its_form_view_and_description(main):
    ws = main.workspaces["privacy"]
    picker = ws.task_picker
    assert {"stealing", "inversion", "membership"} <= set(TASKS)
    assert [(picker.itemText(i), picker.itemData(i)) for i in range(picker.count())] == [
        (task.title, task.name) for task in TASKS.values()
    ]  # in the registry's order
    assert ws.state.task == "stealing" and picker.currentData() == "stealing"
    assert ws.view().caption.text().startswith("Grey boxes: the agreement range the Adversarial Robustness Toolbox")
    for i, task in reversed(list(enumerate(TASKS.values()))):  # each task, the first one last
        picker.setCurrentIndex(i)
        assert ws.state.task == task.name and ws.description.text() == task.description
        assert ws.forms.currentIndex() == i and ws.views.currentIndex() == i and ws.view() is ws.views.widget(i)
    assert len({ws.forms.widget(i) for i in range(len(TASKS))}) == len(TASKS)  # a form of its own each


def test_stealing_fills_the_curve_live_and_exports(qtbot, main, tmp_path, monkeypatch):
    from inspector.gui.workspaces.privacy import stealing

    monkeypatch.setattr(stealing, "StealConfig", _no_transfer(stealing.StealConfig))
    ws = main.workspaces["privacy"]
    partial = []
    ws.state.events.result.connect(lambda r: partial.append(r))
    with qtbot.waitSignal(ws.run_finished, timeout=WAIT_MS) as done:
        ws.run_button.click()
    result = done.args[0]
    assert result.finished and [r["queries"] for r in result.rows] == [100, 400]
    assert any(r is not None and not r.finished and len(r.rows) == 1 for r in partial)  # the curve grew live
    view = ws.view()
    assert view.table.rowCount() == 2 and view.table.item(1, 0).text() == "400"
    assert [r["budget"] for r in view.rows] == [100, 400]
    main.grab().save(str(tmp_path / "privacy.png"))
    written = ws.export(str(tmp_path / "export"))
    data = json.loads(written["privacy-stealing.json"].read_text())
    assert "--labels-only" in data["recipe"] and len(data["rows"]) == 2
    assert written["privacy-stealing.png"].stat().st_size > 0
    assert len(list(tmp_path.glob("inspector-steal-*/copy-400.pt2"))) == 1


def test_cancel_keeps_the_finished_budget(qtbot, main, monkeypatch, tmp_path):
    from inspector.gui.workspaces.privacy import stealing

    monkeypatch.setattr(stealing, "StealConfig", _no_transfer(stealing.StealConfig))
    ws = main.workspaces["privacy"]

    def cancel_once_a_budget_is_done(result):
        if result is not None and len(result.rows) == 1 and not result.finished:
            ws.cancel()

    ws.state.events.result.connect(cancel_once_a_budget_is_done)
    with qtbot.waitSignal(ws.run_finished, timeout=WAIT_MS) as done:
        ws.run()
    assert not done.args[0].finished and [r["budget"] for r in done.args[0].rows] == [100]
    assert ws.view().table.rowCount() == 1 and "stopped" in ws.stage.text()


def test_inversion_shows_the_grid(qtbot, main, tmp_path):
    ws = main.workspaces["privacy"]
    ws.task_picker.setCurrentIndex(1)
    assert ws.state.task == "inversion" and ws.view() is ws.views.currentWidget()
    assert ws.view().picture.text().startswith("Run to reconstruct")
    with qtbot.waitSignal(ws.run_finished, timeout=WAIT_MS) as done:
        ws.run()
        assert ws.view().picture.text().startswith("Reconstructing each class\u2026")  # not "Run to ..." while it runs
    report = done.args[0]
    assert report.images.shape == (10, 1, 28, 28)
    assert not ws.view().picture.pixmap().isNull() and "MI-Face on mnist-standard" in ws.view().scores.text()
    picture = ws.view().picture
    for size in ((1366, 768), (1280, 520)):  # a short window too: the grid and its captions fit the view
        main.resize(*size)
        qtbot.waitUntil(lambda: picture.pixmap().height() <= picture.height(), timeout=5000)
        assert picture.pixmap().width() <= picture.width()
    assert ws.export_button.isEnabled()
    main.grab().save(str(tmp_path / "inversion.png"))


def _no_transfer(config_class):
    """StealConfig without the PGD transfer measurement (seconds saved in a test of the workspace)."""

    def make(**kwargs):
        return config_class(**kwargs, transfer_eps=0.0)

    return make


def test_the_membership_form_shows_each_attacks_parameters_from_the_registry(qtbot):
    """The form is built from the registry entry: LiRA shows its reference models, label-only its
    queries, the loss attack none; edits reach the state, and a bad value's error names the label."""
    from PySide6.QtWidgets import QSpinBox

    from inspector.core.privacy.membership import MembershipConfig
    from inspector.core.util.errors import ParameterError
    from inspector.gui.jobs import error_message
    from inspector.gui.workspaces.privacy.membership_job import MembershipForm

    state = PrivacyState(membership=MembershipSettings("loss"))
    form = MembershipForm(state)
    qtbot.addWidget(form)
    assert form.params.editors == {}
    form.attack.setCurrentText("lira-online")
    assert list(form.params.editors) == ["references"] and state.membership.attack == "lira-online"
    spin = form.params.editors["references"]
    assert isinstance(spin, QSpinBox) and spin.value() == 16
    spin.setValue(3)
    assert state.membership.params == {"references": 3}
    form.attack.setCurrentText("label-only")
    assert list(form.params.editors) == ["queries"]
    form.attack.setCurrentText("lira-online")
    assert form.params.editors["references"].value() == 3
    with pytest.raises(ParameterError) as caught:
        MembershipConfig(attack=state.membership.attack, **state.membership.params).check()
    assert error_message(caught.value).startswith("References: must be an even number")


def test_stealing_and_inversion_forms_come_from_their_settings_classes(qtbot):
    """Each task keeps its own settings; the forms are ParamForms of their param() fields, the
    stealing methods from their registry, and edits land in the task's own settings."""
    from inspector.core.privacy.stealing_methods import STEALING_METHODS
    from inspector.core.util.params import param_specs
    from inspector.gui.workspaces.privacy.inversion import InversionForm
    from inspector.gui.workspaces.privacy.stealing import StealingForm

    state = PrivacyState()
    stealing, inversion = StealingForm(state), InversionForm(state)
    qtbot.addWidget(stealing)
    qtbot.addWidget(inversion)
    assert list(stealing.params.editors) == [s.name for s in param_specs(StealingSettings)]
    method = stealing.params.editors["method"]
    assert [method.itemText(i) for i in range(method.count())] == list(STEALING_METHODS)
    method.setCurrentText("copycat")
    stealing.params.editors["epochs"].setValue(3)
    assert (state.stealing.method, state.stealing.epochs) == ("copycat", 3)
    assert list(inversion.params.editors) == [s.name for s in MIFace.params()]
    inversion.params.editors["max_iterations"].setValue(42)
    assert state.inversion.max_iterations == 42 and state.stealing.epochs == 3
    assert PrivacyState().inversion.max_iterations == 1000  # each state has its own settings objects
