"""GUI widgets on their own (no model): attack form, class picker, probability panel, figure, CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import torch
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QFormLayout

from inspector.cli import main
from inspector.core.attacks import ATTACKS
from inspector.core.io.figure import LINE, MARGIN, PANEL, side_by_side
from inspector.core.io.resources import resource_path
from inspector.gui.attack_form import AttackForm, ClassPicker, PixelEditor
from inspector.gui.main_window import DEFAULT_SIZE, initial_size
from inspector.gui.probabilities import ProbabilityEntry, ProbabilityPanel
from inspector.gui.workspaces.evasion.probability_entries import detector_flags
from inspector.gui.workspaces.evasion.state import default_params

COFFEE = str(resource_path("images", "coffee.png"))


def _choose(combo, value: str) -> None:
    """Pick the entry whose value (not its words) is ``value``."""
    combo.setCurrentIndex(combo.findData(value))


def test_parameters_and_choices_read_in_words_with_their_symbols(qtbot):
    form = AttackForm()
    qtbot.addWidget(form)
    values = default_params("pgd")
    form.set_attack("pgd", values)
    labels = {form._layout.itemAt(i, QFormLayout.ItemRole.LabelRole).widget().text() for i in range(len(form.editors))}
    assert {"budget \u03b5", "step size \u03b1", "loss"} <= labels and "step_size" not in labels
    loss = form.editors["loss"]
    assert [loss.itemText(i) for i in range(loss.count())] == [
        "cross-entropy",
        "margin (C&W)",
        "DLR (difference of logits ratio)",
    ]
    _choose(loss, "dlr")
    assert values["loss"] == "dlr"  # the value, not its words, reaches the attack
    form.set_attack("hopskipjump", default_params("hopskipjump"))
    hsj = {form._layout.itemAt(i, QFormLayout.ItemRole.LabelRole).widget().text() for i in range(len(form.editors))}
    assert "probes of the first estimate B\u2080" in hsj and "init evals" not in hsj


def test_the_cw_learning_rate_reads_auto_at_zero(qtbot):
    form = AttackForm()
    qtbot.addWidget(form)
    values = default_params("cw")
    form.set_attack("cw", values)
    rate = form.editors["learning_rate"]
    assert values["learning_rate"] == 0 and rate.text() == "auto"
    rate.setValue(0.01)
    assert rate.text() == "0.0100" and values["learning_rate"] == pytest.approx(0.01)


def test_attack_form_is_built_from_param_specs_and_edits_values(qtbot):
    form = AttackForm()
    qtbot.addWidget(form)
    values = default_params("pgd")
    form.set_attack("pgd", values)
    assert list(form.editors) == [spec.name for spec in ATTACKS["pgd"].params()]
    eps = form.editors["eps"]
    assert isinstance(eps, PixelEditor) and eps.spin.value() == pytest.approx(4.0)
    eps.slider.setValue(6 * 4)  # quarter grey levels
    assert eps.spin.value() == pytest.approx(6.0) and values["eps"] == pytest.approx(6 / 255)
    _choose(form.editors["norm"], "l2")
    form.editors["early_stop"].setChecked(True)
    form.editors["steps"].setValue(7)
    assert (values["norm"], values["early_stop"], values["steps"]) == ("l2", True, 7)
    form.set_attack("fgsm", default_params("fgsm"))
    assert list(form.editors) == ["eps", "norm", "loss"]
    jsma = default_params("jsma")
    form.set_attack("jsma", jsma)
    theta = form.editors["theta"]
    theta.slider.setValue(theta.slider.minimum())  # JSMA's theta may decrease features
    assert jsma["theta"] < 0 and jsma["theta"] == pytest.approx(theta.spin.value() / 255)


def test_budget_range_follows_the_norm(qtbot):
    form = AttackForm()
    qtbot.addWidget(form)
    values = default_params("square")
    form.set_attack("square", values)
    assert form.editors["eps"].spin.maximum() == pytest.approx(255.0)  # linf: at most 1
    _choose(form.editors["norm"], "l2")
    qtbot.waitUntil(lambda: form.editors["eps"].spin.maximum() > 255.0, timeout=5000)
    form.editors["eps"].spin.setValue(3 * 255)  # L2 eps 3.0
    assert values["norm"] == "l2" and values["eps"] == pytest.approx(3.0)
    _choose(form.editors["norm"], "linf")
    qtbot.waitUntil(lambda: form.editors["eps"].spin.maximum() == pytest.approx(255.0), timeout=5000)
    assert values["eps"] == pytest.approx(1.0)  # brought into the linf range


def test_class_picker_searches_by_any_part_of_the_name(qtbot):
    picker = ClassPicker()
    qtbot.addWidget(picker)
    picker.set_classes(["tench", "goldfish", "great white shark"])
    completer = picker.completer()
    completer.setCompletionPrefix("white")
    assert completer.currentCompletion() == "2: great white shark"
    picker.set_target(1)
    assert picker.target() == 1 and picker.currentText() == "1: goldfish"
    picker.set_target(None)
    assert picker.target() is None


def test_probability_panel_draws_one_chart_per_entry(qtbot):
    panel = ProbabilityPanel()
    qtbot.addWidget(panel)
    top = [{"index": 3, "name": "a", "probability": 0.7}, {"index": 5, "name": "b", "probability": 0.2}]
    entries = [
        ProbabilityEntry("original", top, {3: "true"}),
        ProbabilityEntry("adversarial", top),
        ProbabilityEntry("adversarial under JPEG defence", top, {5: "adversarial"}),
    ]
    panel.set_entries(entries)
    assert len(panel.plots) == 3 and panel.plots[2].plotItem.titleLabel.text == "adversarial under JPEG defence"
    panel.set_entries(entries[:1])
    assert len(panel.plots) == 1
    panel.set_entries(entries + entries[:1], columns=2)  # two models side by side, two rows
    grid = [panel._grid.getItemPosition(panel._grid.indexOf(plot))[:2] for plot in panel.plots]
    assert grid == [(0, 0), (0, 1), (1, 0), (1, 1)] and panel.columns == 2


def test_side_by_side_figure():
    x = torch.rand(1, 3, 224, 224)
    x_adv = (x + 4 / 255).clamp(0, 1)
    top = {"index": 0, "name": "tench", "probability": 0.5}
    figure = side_by_side(x, x_adv, top, top)
    assert figure.size[0] == 3 * PANEL + 4 * MARGIN and figure.mode == "RGB"
    middle = figure.getpixel((2 * MARGIN + PANEL + PANEL // 2, MARGIN + PANEL // 2))
    assert middle[0] > middle[2]  # brighter everywhere: red
    captioned = side_by_side(x, x_adv, top, top, "efficientnet-lite0 \u00b7 PGD, eps 4/255, 10 steps \u00b7 no defence")
    assert captioned.size == (figure.size[0], figure.size[1] + LINE)
    long = side_by_side(x, x_adv, top, top, " ".join(["jpeg:quality=75,"] * 20))  # wraps at spaces: nothing cut
    assert long.size[1] > captioned.size[1] and long.getpixel((long.size[0] - 2, long.size[1] - 2)) == (255, 255, 255)


def test_gui_rejects_bad_attack_options_before_opening_a_window(capsys):
    assert main(["gui", COFFEE, "--attack", "fgsm", "--eps", "lots", "--screenshot", "x.png"]) == 2
    assert "is not a number" in capsys.readouterr().err
    assert main(["gui", COFFEE, "--compare-direct", "--screenshot", "x.png"]) == 2
    assert "--compare-direct needs --compare" in capsys.readouterr().err
    assert main(["gui", COFFEE, "--defense", "jpeg:quality=900", "--screenshot", "x.png"]) == 2
    assert "quality" in capsys.readouterr().err
    for size in ("big", "1280x", "100x100", "1280x720x3"):
        assert main(["gui", COFFEE, "--window-size", size, "--screenshot", "x.png"]) == 2
        assert "--window-size" in capsys.readouterr().err


def test_the_window_starts_within_the_screen():
    assert initial_size(None) == DEFAULT_SIZE
    assert initial_size((2560, 1400)) == DEFAULT_SIZE
    width, height = initial_size((1366, 738))  # a 1366x768 laptop, less its panel
    assert width <= 1366 - 16 and height <= 738 - 40


def _gui(tmp_path, *args):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    return subprocess.run(
        [sys.executable, "-m", "inspector", "gui", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=resource_path().parent,
    )


def test_screenshot_mode_runs_the_attack_and_saves_the_window(tmp_path):
    shot = tmp_path / "x.png"
    done = _gui(
        tmp_path,
        COFFEE,
        *("--attack", "fgsm", "--eps", "2/255", "--device", "cpu", "--defense", "jpeg:quality=75"),
        *("--window-size", "1366x768", "--run", "--screenshot", str(shot)),
    )
    assert done.returncode == 0, done.stderr
    with Image.open(shot) as im:
        assert im.size == (1366, 768)


def test_screenshot_mode_fails_with_a_message_on_a_bad_image(tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"nope")
    done = _gui(tmp_path, str(bad), "--attack", "fgsm", "--run", "--screenshot", str(tmp_path / "x.png"))
    assert done.returncode == 2 and "bad.jpg" in done.stderr and not (tmp_path / "x.png").exists()


def test_qt_calls_keep_the_reference_count_of_none(qtbot):
    """A Qt binding that drops a reference to None per call (PySide6 6.12.0) aborts the app on Python 3.11."""
    box = QCheckBox("x")
    qtbot.addWidget(box)
    before = sys.getrefcount(None)
    for _ in range(1000):
        box.setChecked(True)  # a C++ method returning void
    assert sys.getrefcount(None) >= before - 10


def test_detector_titles_say_why_a_detector_is_not_available():
    reason = "detector 'squeeze': 3 clean images cannot calibrate a false positive rate of 0.05: that takes at least 19"
    flags = detector_flags([{"title": "Feature squeezing", "available": False, "reason": reason}])
    assert flags["original"].endswith(
        "n/a (3 clean images cannot calibrate a false positive rate of 0.05: that takes at least 19)"
    )


def test_ctrl_c_closes_the_app_without_a_traceback(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    app = subprocess.Popen(
        [sys.executable, "-m", "inspector", "gui", COFFEE],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=resource_path().parent,
    )
    time.sleep(10)  # the window is up and the event loop waits
    app.send_signal(signal.SIGINT)
    _out, err = app.communicate(timeout=60)
    assert app.returncode == 130 and "Traceback" not in err


def test_the_pixel_readout_reads_rgb_in_plain_numbers_and_a_double_click_fits_the_image(qtbot):
    import numpy as np

    from inspector.gui.image_panes import ImagePanes

    panes = ImagePanes()
    qtbot.addWidget(panes)
    panes.resize(900, 400)
    panes.show()
    original = np.zeros((8, 8, 3), np.uint8)
    original[2, 3] = (174, 90, 12)
    panes.set_image(0, original)
    assert panes.pixel_text(2, 3) == "x 3, y 2 \u00b7 RGB 174, 90, 12"
    adversarial = original.copy()
    adversarial[2, 3] = (175, 88, 12)
    panes.set_image(2, adversarial)
    assert panes.pixel_text(2, 3) == "x 3, y 2 \u00b7 RGB 174, 90, 12 \u2192 175, 88, 12 (+1, -2, 0)"
    box = panes.boxes[0]
    fitted = box.viewRange()
    box.scaleBy((0.25, 0.25))  # zoomed in with the wheel
    assert box.viewRange() != fitted
    centre = box.mapViewToScene(box.viewRect().center())
    at = panes.view.mapFromScene(centre)
    qtbot.mouseDClick(panes.view.viewport(), Qt.MouseButton.LeftButton, pos=at)
    qtbot.mouseRelease(panes.view.viewport(), Qt.MouseButton.LeftButton, pos=at)  # as a real double-click ends
    assert np.allclose(box.viewRange(), fitted, atol=0.5)


def test_the_legend_calls_the_models_first_answer_its_original_prediction_not_the_truth(qtbot):
    panel = ProbabilityPanel()
    qtbot.addWidget(panel)
    legend = panel._legend.text()
    assert "original prediction" in legend and "adversarial prediction" in legend and "> true" not in legend
