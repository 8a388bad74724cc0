"""The desktop app, offscreen with pytest-qt, on the real model and real photos."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from conftest import DATA
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from inspector.core.evasion.classify import predict
from inspector.core.evasion.inspect import inspect
from inspector.core.evasion.recipe import Recipe
from inspector.core.io.figure import CAPTION, LINE, MARGIN, PANEL
from inspector.core.io.image import load_tensor
from inspector.core.io.resources import resource_path
from inspector.core.models.loading import builtin_models, load_model
from inspector.gui.attack_form import PixelEditor
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.evasion.export import figure_caption
from inspector.gui.workspaces.evasion.jobs import Progress, to_pixels
from inspector.gui.workspaces.evasion.state import EvasionState
from inspector.gui.workspaces.evasion.workspace import EvasionWorkspace

WAIT_MS = 120_000
TENCH = DATA / "imagenet-sample" / "n01440764_tench.JPEG"


def open_window(qtbot, settings: Settings, state: EvasionState | None = None) -> MainWindow:
    """The main window on the CPU, once the Evasion workspace has classified its first image."""
    win = MainWindow(Session(device="cpu"), settings, states={"evasion": state or EvasionState()})
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.show()
    return win


@pytest.fixture
def main(qtbot, tmp_path, model):
    win = open_window(qtbot, Settings(tmp_path / "settings.json"))
    yield win
    win.close()


@pytest.fixture
def window(main) -> EvasionWorkspace:
    """The Evasion workspace of the main window."""
    return main.workspaces["evasion"]


@pytest.fixture
def dialogs(monkeypatch):
    """Record error dialogs instead of blocking on them."""
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: shown.append(text))
    return shown


def choose_attack(win: EvasionWorkspace, name: str, **grey_or_values) -> None:
    combo = win.attack_panel.attack_combo
    combo.setCurrentIndex(combo.findData(name))
    for key, value in grey_or_values.items():
        editor = win.attack_panel.form.editors[key]
        if isinstance(editor, PixelEditor):
            editor.spin.setValue(value)  # grey levels, as the user types them
        else:
            editor.setValue(value)


def run(qtbot, win: EvasionWorkspace):
    with qtbot.waitSignal(win.attack_finished, timeout=WAIT_MS) as blocker:
        win.run_attack()
    return blocker.args[0]


def test_starts_with_defaults(window):
    assert window.state.image.endswith("coffee.png") and window.state.attack == "pgd"
    assert window.panes.arrays[0].shape == (224, 224, 3) and window.panes.arrays[2] is None
    entry, placeholder = window.probabilities.entries
    assert entry.title == "original" and entry.top_k[0]["name"] == "espresso"
    assert placeholder.top_k == [] and "run an attack" in placeholder.title
    assert entry.highlight == {entry.top_k[0]["index"]: "true"}
    assert window.attack_panel.form.editors["eps"].spin.value() == pytest.approx(4.0)  # 4/255 shown as grey levels
    assert window.attack_panel.class_picker.count() == 1 + 1000 and window.attack_panel.class_picker.target() is None
    assert window.attack_panel.run_button.isEnabled() and not window.attack_panel.cancel_button.isEnabled()


def test_fgsm_runs_and_updates_panes_and_probabilities(qtbot, main, window):
    choose_attack(window, "fgsm", eps=8.0)
    assert window.state.attack_params()["eps"] == pytest.approx(8 / 255)
    inspection = run(qtbot, window)
    assert inspection.recipe.attack == "fgsm" and inspection.attack_params["eps"] == pytest.approx(8 / 255)
    shown = window.panes.arrays[2]
    assert np.array_equal(shown, to_pixels(inspection.x_adv))
    change = np.abs(shown.astype(int) - window.panes.arrays[0].astype(int))
    assert 0 < change.max() <= 8
    assert window.panes.arrays[1].shape == (224, 224, 3)
    original, adversarial = window.probabilities.entries
    assert adversarial.top_k == inspection.adversarial.top_k
    # FGSM has no randomness, and on this photo it fools the model at every budget from 2/255 to 16/255
    # (top-1 consomme at 8/255, 0.157 against espresso's 0.125): the outcome is fixed, not a coin toss.
    espresso = original.top_k[0]["index"]
    assert inspection.success and adversarial.title == "adversarial (fooled)"
    assert adversarial.top_k[0]["name"] == "consomme"
    assert adversarial.highlight == {inspection.adversarial.label: "adversarial", espresso: "true"}
    summary = main.summary.text()
    assert "1 iteration, 1 gradient evaluation" in summary and "Linf 8/255" in summary
    assert "in [0, 1] pixel units" in summary and "of 150,528 values changed" in summary


def test_defences_give_probabilities_after_each_and_adaptive_mode(qtbot, window):
    window.defense_panel.checkboxes["jpeg"].setChecked(True)
    window.defense_panel.checkboxes["bitdepth"].setChecked(True)
    window.defense_panel.adaptive.setChecked(True)
    window.defense_panel.checkboxes["squeeze"].setChecked(True)
    window.state.detector_values["squeeze"]["fpr"] = 0.25  # the lowest rate the 3 sample photos can calibrate
    choose_attack(window, "fgsm", eps=4.0)
    inspection = run(qtbot, window)
    assert inspection.recipe.adaptive
    assert [row.defense for row in inspection.defended][1:3] == ["jpeg:quality=75", "bitdepth:bits=4"]
    titles = [entry.title for entry in window.probabilities.entries]
    table = window.defence_table.texts()
    # Deterministic (FGSM, no random defence): through JPEG then 4-bit depth the adaptive adversarial reads
    # as consomme (0.43 against espresso's 0.27); JPEG alone is fooled (0.58), 4-bit depth alone holds
    # (espresso 0.78). One row per defence, whatever their number, in a table: no chart per defence.
    assert inspection.success and titles[1].startswith("adversarial (fooled) \u00b7 ") and len(titles) == 2
    assert window.defence_table.horizontalHeaderItem(0).text() == "defence (adaptive attack)"
    assert [row[0] for row in table] == ["no defence", "jpeg:quality=75", "bitdepth:bits=4", "pipeline (all 2)"]
    assert [row[3] for row in table[1:]] == ["fooled", "holds", "fooled"]
    for row, defended in zip(table, inspection.defended, strict=True):  # the original under each defence too
        for cell, prediction in ((row[1], defended.original), (row[2], defended.adversarial)):
            top = prediction.top_k[0]
            assert cell == f"{top['name']} {100 * top['probability']:.0f} %"
    assert window.results.details.currentWidget() is window.defence_table  # brought forward after the run
    report = inspection.detections[0]
    assert report["detector"].startswith("squeeze") and report["threshold"] > 0
    flag = "FLAGGED" if report["adversarial"]["flagged"] else "passes"
    assert titles[1].split(" \u00b7 ")[1].startswith("Feature squeezing") and titles[1].endswith(f": {flag}")
    held = window.results.verdict.full_text()
    assert held.startswith("espresso \u2192 consomme, ") and held.endswith(" \u00b7 1 of 2 defences held")
    window.defense_panel.checkboxes["jpeg"].setChecked(False)
    window.defense_panel.checkboxes["bitdepth"].setChecked(False)
    recipe = window.state.recipe("efficientnet-lite0", "cpu")
    assert recipe.defenses == [] and not recipe.adaptive


def test_pgd_runs_and_exports_files_that_classify_as_reported(qtbot, window, model, tmp_path, monkeypatch):
    choose_attack(window, "pgd", eps=2.0, step_size=1.0, steps=3)
    window.attack_panel.class_picker.set_target(963)  # pizza
    inspection = run(qtbot, window)
    assert inspection.attack.iterations == 3 and inspection.target == 963
    assert window.attack_panel.progress.maximum() == 3 and window.attack_panel.progress.value() == 3
    assert window.live_plot.iterations == [1, 2, 3]
    assert window.probabilities.entries[1].highlight[963] == "target"
    assert window.panes.arrays[1] is not None and window.panes.arrays[2] is not None

    for kind, name in [
        ("adversarial", "adv.png"),
        ("perturbation", "pert.png"),
        ("figure", "figure.png"),
        ("recipe", "recipe.json"),
    ]:
        assert window.export_to(kind, str(tmp_path / name))
    again = predict(model, load_tensor(tmp_path / "adv.png", model.input_size))
    assert again.label == inspection.adversarial.label
    assert torch.allclose(again.probabilities, inspection.adversarial.probabilities, atol=1e-4)
    assert load_tensor(tmp_path / "pert.png", (224, 224)).shape == (1, 3, 224, 224)
    assert figure_caption(inspection) == "efficientnet-lite0 \u00b7 PGD, eps 2/255, 3 steps \u00b7 no defence"
    with Image.open(tmp_path / "figure.png") as figure:  # the caption's line under the panels
        assert figure.size == (3 * PANEL + 4 * MARGIN, PANEL + CAPTION + 2 * MARGIN + LINE)
    saved = json.loads((tmp_path / "recipe.json").read_text())
    assert saved["adversarial"]["label"]["index"] == inspection.adversarial.label
    rerun = inspect(Recipe.from_dict(saved["recipe"]), model=model)
    assert torch.equal(rerun.x_adv, inspection.x_adv)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary files left

    # JPEG: the user is warned, and cancelling the warning writes nothing.
    warnings = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "adv.jpg"), ""))
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: warnings.append(a[2]) or QMessageBox.StandardButton.Cancel)
    window.export_dialog("adversarial")
    assert "JPEG" in warnings[0] and not (tmp_path / "adv.jpg").exists()


def test_cancel_stops_a_long_attack(qtbot, main, window):
    choose_attack(window, "pgd", steps=10_000)
    steps_after_cancel = []
    with qtbot.waitSignal(window.attack_finished, timeout=WAIT_MS) as blocker:
        window.run_attack()
        job = window.shell.runner.job
        # runs on the worker thread at each iteration: counts iterations begun after Cancel
        job.progress.connect(
            lambda p: job.cancelled() and isinstance(p, Progress) and steps_after_cancel.append(p.iteration),
            Qt.ConnectionType.DirectConnection,
        )
        qtbot.waitUntil(lambda: window.attack_panel.progress.value() >= 2, timeout=WAIT_MS)
        assert window.attack_panel.cancel_button.isEnabled()
        window.attack_panel.cancel_button.click()
    inspection = blocker.args[0]
    assert inspection.attack.cancelled and 2 <= inspection.attack.iterations < 10_000
    assert len(steps_after_cancel) <= 1  # stops within one iteration
    assert "cancelled after" in main.summary.text()
    assert window.attack_panel.run_button.isEnabled() and not main.busy()


def test_closing_during_an_attack_stops_the_worker(qtbot, main, window):
    choose_attack(window, "pgd", steps=10_000)
    window.run_attack()
    job = window.shell.runner.job
    qtbot.waitUntil(lambda: window.attack_panel.progress.value() >= 1, timeout=WAIT_MS)
    main.close()
    assert job.ended() and job.cancelled()


def test_bad_image_gives_a_dialog_and_the_app_stays_usable(qtbot, main, window, dialogs, tmp_path):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"this is not a PNG file")
    with qtbot.waitSignal(main.error_occurred, timeout=WAIT_MS):
        window.open_image(str(bad))
    qtbot.waitUntil(lambda: not main.busy(), timeout=WAIT_MS)
    assert len(dialogs) == 1 and "broken.png" in dialogs[0]
    assert window.state.image.endswith("coffee.png") and window.attack_panel.run_button.isEnabled()
    with qtbot.waitSignal(window.preview_ready, timeout=WAIT_MS):
        window.open_image(str(TENCH))
    assert window.probabilities.entries[0].top_k[0]["name"] == "tench"
    assert main.settings.recent == [str(TENCH.resolve())]
    assert json.loads((tmp_path / "settings.json").read_text())["recent"] == [str(TENCH.resolve())]


def test_bad_target_name_from_the_command_line_gives_a_dialog(qtbot, tmp_path, model, dialogs):
    win = open_window(qtbot, Settings(tmp_path / "s.json"), EvasionState(target="espreso"))
    assert "did you mean 'espresso'" in dialogs[0] and win.workspaces["evasion"].state.target is None
    win.close()


def test_presenter_mode_hides_the_controls_and_leaving_restores_them(qtbot, main, window):
    side_width = window.side_column.width()
    font = window.defence_table.font().pointSizeF()
    main.set_presentation(True)
    qtbot.waitUntil(main.isFullScreen, timeout=5000)
    assert not window.side_column.isVisible() and not main.menuBar().isVisible() and not main.tabs.tabBar().isVisible()
    assert window.attack_panel.run_button.isVisible() and window.attack_panel.cancel_button.isVisible()
    assert window.probabilities.text_scale == 1.5 and main.presentation_action.isChecked()
    assert window.defence_table.isVisible() and window.defence_table.font().pointSizeF() > font
    assert window.results.verdict.full_text() == "espresso 94 %: Space runs the attack"
    main.set_presentation(False)
    qtbot.waitUntil(lambda: not main.isFullScreen(), timeout=5000)
    assert window.side_column.isVisible() and main.menuBar().isVisible() and main.tabs.tabBar().isVisible()
    assert window.side_column.isAncestorOf(window.attack_panel.run_button)  # back in its column
    QApplication.processEvents()
    assert window.side_column.width() == side_width and window.defence_table.font().pointSizeF() == font


def test_bad_model_file_gives_a_dialog_and_keeps_the_model(qtbot, main, window, dialogs, tmp_path):
    bad = tmp_path / "model.pt"
    bad.write_bytes(b"not TorchScript")
    with qtbot.waitSignal(main.error_occurred, timeout=WAIT_MS):
        main.set_model(str(bad))
    qtbot.waitUntil(lambda: not main.busy(), timeout=WAIT_MS)
    assert "not a TorchScript model" in dialogs[0]
    assert main.session.model == "efficientnet-lite0" and main.model_combo.currentText() == "efficientnet-lite0"
    assert window.attack_panel.run_button.isEnabled()


def test_compare_mode_shows_each_models_bars_side_by_side(qtbot, window, tmp_path):
    # on the photo model, the other EfficientNet-Lites (which read the adversarial resized)
    # (the registry's order; a model added to it joins these lists, as with 58f9b37's surrogates)
    registry = builtin_models()
    photo_models = [name for name, info in registry.items() if info.task.startswith("ImageNet-1k, 1000 classes")]
    digit_models = [name for name, info in registry.items() if info.task.startswith("MNIST digits, 10 classes")]
    assert {"efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2"} <= set(photo_models)
    assert list(window.compare_panel.checkboxes) == [name for name in photo_models if name != "efficientnet-lite0"]
    digit = resource_path("images", "mnist-7.png")
    with qtbot.waitSignal(window.preview_ready, timeout=WAIT_MS):
        window.load(str(digit), "mnist-standard")
    assert {"mnist-standard", "mnist-pgd-at", "mnist-distilled"} <= set(digit_models)
    assert list(window.compare_panel.checkboxes) == [name for name in digit_models if name != "mnist-standard"]
    for name in ("mnist-pgd-at", "mnist-distilled"):
        window.compare_panel.checkboxes[name].setChecked(True)
    window.compare_panel.direct.setChecked(True)
    choose_attack(window, "pgd", eps=76.5, step_size=6.375, steps=20)
    loss = window.attack_panel.form.editors["loss"]
    loss.setCurrentIndex(loss.findData("margin"))
    source = run(qtbot, window)
    comparison = window.state.comparison
    assert comparison.source is source and source.attack.loss == "margin"
    assert window.probabilities.columns == 3 and len(window.probabilities.entries) == 9
    assert not window.live_plot.isVisible()
    for column, row in enumerate(comparison.models):
        model = load_model(row.model, "cpu")
        transfer = window.probabilities.entries[3 + column]
        assert transfer.title.startswith(row.model)
        assert transfer.top_k == predict(model, source.x_adv).top_k  # the same adversarial, this model
        direct = window.probabilities.entries[6 + column]
        assert direct.title == f"{row.model} \u00b7 direct (margin): {'fooled' if row.direct.success else 'holds'}"
    assert "attacked (margin): fooled" in window.probabilities.entries[3].title
    assert window.export_to("recipe", str(tmp_path / "comparison.json"))
    saved = json.loads((tmp_path / "comparison.json").read_text())
    assert [m["model"] for m in saved["models"]] == ["mnist-standard"] + [
        name for name in digit_models if name in ("mnist-pgd-at", "mnist-distilled")
    ]

    with qtbot.waitSignal(window.preview_ready, timeout=WAIT_MS):
        window.load(str(digit), "mnist-pgd-at")  # the choices follow the first model
    assert list(window.compare_panel.checkboxes) == [name for name in digit_models if name != "mnist-pgd-at"]
    assert window.state.compare == ["mnist-distilled"] and window.state.comparison is None


def test_estimate_before_run_and_time_left_during_it(qtbot, window):
    unit = window.state.preview.unit_cost
    assert 0 < unit.query_s < unit.gradient_s  # measured once the photo was loaded
    text = window.attack_panel.estimate.text()
    assert text.startswith("estimate on cpu: at most") and "(10 gradients)" in text  # PGD's 10 steps
    choose_attack(window, "fgsm")
    assert window.attack_panel.estimate.text().endswith("(1 gradient)")
    choose_attack(window, "pgd", steps=40)
    assert "(40 gradients)" in window.attack_panel.estimate.text()
    assert window.state.estimate().seconds == pytest.approx(40 * unit.gradient_s)
    choose_attack(window, "square")
    assert window.attack_panel.estimate.text().endswith(f"({window.state.attack_params()['max_queries']:,} queries)")
    choose_attack(window, "pgd")
    seen = []
    with qtbot.waitSignal(window.attack_finished, timeout=WAIT_MS):
        window.run_attack()
        qtbot.waitUntil(lambda: seen.append(window.attack_panel.progress.text()) or "left" in seen[-1], timeout=WAIT_MS)
    left = next(t for t in seen if "left" in t)
    assert left.startswith("iteration ") and " / 40 \u00b7 at most " in left and left.endswith(" s left")
    assert window.attack_panel.progress.text().startswith("done: 40 iterations in ")  # no time left any more


def test_paper_preset_sets_the_published_budgets(qtbot, window):
    choose_attack(window, "square")
    assert window.attack_panel.form.editors["max_queries"].value() == 500
    panel = window.attack_panel
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("paper"))
    assert window.state.preset == "paper" and panel.form.editors["max_queries"].value() == 10000
    assert window.state.attack_params()["max_queries"] == 10000
    assert "(10,000 queries)" in panel.estimate.text()
    panel.preset_combo.setCurrentIndex(panel.preset_combo.findData("default"))
    assert panel.form.editors["max_queries"].value() == 500
