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
from PySide6.QtWidgets import QCheckBox

from inspector.cli import main
from inspector.core.attacks import ATTACKS
from inspector.core.io.figure import MARGIN, PANEL, side_by_side
from inspector.core.io.resources import resource_path
from inspector.gui.attack_form import AttackForm, ClassPicker, PixelEditor
from inspector.gui.main_window import DEFAULT_SIZE
from inspector.gui.probabilities import ProbabilityEntry, ProbabilityPanel
from inspector.gui.workspaces.evasion.probability_entries import detector_flags
from inspector.gui.workspaces.evasion.state import default_params

COFFEE = str(resource_path("images", "coffee.png"))


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
    form.editors["norm"].setCurrentText("l2")
    form.editors["early_stop"].setChecked(True)
    form.editors["steps"].setValue(7)
    assert (values["norm"], values["early_stop"], values["steps"]) == ("l2", True, 7)
    form.set_attack("fgsm", default_params("fgsm"))
    assert list(form.editors) == [spec.name for spec in ATTACKS["fgsm"].params()]  # eps, norm, loss
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
    form.editors["norm"].setCurrentText("l2")
    qtbot.waitUntil(lambda: form.editors["eps"].spin.maximum() > 255.0, timeout=5000)
    form.editors["eps"].spin.setValue(3 * 255)  # L2 eps 3.0
    assert values["norm"] == "l2" and values["eps"] == pytest.approx(3.0)
    form.editors["norm"].setCurrentText("linf")
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


def test_gui_rejects_bad_attack_options_before_opening_a_window(capsys):
    assert main(["gui", COFFEE, "--attack", "fgsm", "--eps", "lots", "--screenshot", "x.png"]) == 2
    assert "is not a number" in capsys.readouterr().err
    assert main(["gui", COFFEE, "--compare-direct", "--screenshot", "x.png"]) == 2
    assert "--compare-direct needs --compare" in capsys.readouterr().err


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
        tmp_path, COFFEE, "--attack", "fgsm", "--eps", "2/255", "--device", "cpu", "--run", "--screenshot", str(shot)
    )
    assert done.returncode == 0, done.stderr
    with Image.open(shot) as im:
        assert im.size == DEFAULT_SIZE


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
