"""The Physical workspace, offscreen with pytest-qt, on gtsrb-standard and the rendered demo stop
signs: a short RP2 run shows 16 views with predictions and a held-out success rate beside a random
sticker's, and exports the sticker; Cancel keeps the best sticker so far; an empty mask is one error."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from safetensors.torch import save_file

from inspector.core.models.loading import load_model
from inspector.core.physical.masks import block_mask
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.physical.demo import ensure_demo_signs
from inspector.gui.workspaces.physical.state import GRID_VIEWS, PhysicalState

WAIT_MS = 120_000


@pytest.fixture
def main(qtbot, tmp_path):
    state = PhysicalState(params={"steps": 3, "views": 2}, views_per_image=2)
    win = MainWindow(
        Session(model="gtsrb-standard", device="cpu"),
        Settings(tmp_path / "settings.json"),
        states={"physical": state},
        show_dialogs=False,
    )
    qtbot.addWidget(win)
    win.show()
    win.tabs.setCurrentWidget(win.workspaces["physical"])
    errors: list[str] = []
    win.error_occurred.connect(errors.append)
    win.errors = errors
    yield win
    win.close()


def test_a_sticker_is_made_shown_under_16_views_measured_and_exported(qtbot, main, tmp_path):
    ws = main.workspaces["physical"]
    assert ws.setup.target.currentText() == "1: speed limit 30"  # suggested for a road-sign model
    stages: list[str] = []
    with qtbot.waitSignal(ws.run_finished, timeout=WAIT_MS) as done:
        ws.setup.run_button.click()
        ws._job.progress.connect(lambda _step: stages.append(ws.setup.stage.text()))
    outcome = done.args[0]
    assert main.errors == [] and not outcome.result.cancelled and outcome.result.iterations == 3
    assert stages[1].startswith("step 2/3") and "ETA " in stages[1] and stages[2].startswith("measuring")
    assert len(ws.grid.captions) == GRID_VIEWS and len(set(outcome.names)) >= 1
    assert [c.toolTip().split("read as ")[1].split(" (")[0] for c in ws.grid.captions] == outcome.names
    held = outcome.summary["held_out"]
    assert held["images"] == 12 and held["pattern"]["views"] == 24 and "random_sticker" in held
    text = ws.summary.text()
    assert f"Success: {held['pattern']['rate']:.1%} [95 % CI" in text and "Random sticker, same area:" in text
    assert ws.setup.run_button.isEnabled() and not ws.setup.cancel_button.isEnabled()
    path = tmp_path / "sticker.png"
    assert ws.export_png(str(path))
    image = Image.open(path)
    assert image.mode == "RGBA" and image.size == (32, 32)
    opaque = int((np.asarray(image.getchannel("A")) == 255).sum())
    assert 0 < opaque < 32 * 32 * 0.1  # the two bars, 5 % of the frame


def test_cancel_keeps_the_best_sticker_so_far_without_a_held_out_figure(qtbot, main):
    ws = main.workspaces["physical"]
    ws.state.params = {"steps": 100_000, "views": 2}

    def cancel_on_first_step(_step) -> None:
        ws.cancel()

    with qtbot.waitSignal(ws.run_finished, timeout=WAIT_MS) as done:
        ws.setup.run_button.click()
        ws._job.progress.connect(cancel_on_first_step)
    outcome = done.args[0]
    assert outcome.result.cancelled and outcome.result.iterations < 100
    assert "held_out" not in outcome.summary and "stopped early" in ws.summary.text()
    assert "stopped after" in ws.setup.stage.text() and len(ws.grid.captions) == GRID_VIEWS
    assert ws.setup.run_button.isEnabled() and main.errors == []


def test_an_empty_mask_is_one_error_and_no_run(qtbot, main, tmp_path):
    ws = main.workspaces["physical"]
    mask = tmp_path / "empty.png"
    Image.new("L", (64, 64), 0).save(mask)
    ws.setup.mask.setText(str(mask))
    with qtbot.waitSignal(main.error_occurred, timeout=WAIT_MS):
        ws.setup.run_button.click()
    qtbot.waitUntil(ws.setup.run_button.isEnabled, timeout=5000)
    assert len(main.errors) == 1 and "empty" in main.errors[0] and ws.state.outcome is None


def test_a_painted_mask_is_where_the_sticker_goes(qtbot, main):
    ws = main.workspaces["physical"]
    dialog = ws.mask_dialog()
    assert dialog is not None and dialog.painter.mask.shape == (32, 32)
    assert dialog.painter.mask.sum() > 0  # it starts from the two bars
    dialog._clear()
    dialog.painter.brush = 2
    dialog.painter.paint_at(16, 16)  # a 3 x 3 square
    dialog.painter.paint_at(16, 18, erase=True)  # erases its right column
    assert ws.accept_mask(dialog) and ws.state.mask.endswith("painted-mask.png")
    with qtbot.waitSignal(ws.run_finished, timeout=WAIT_MS) as done:
        ws.setup.run_button.click()
    mask = done.args[0].result.mask[0]
    assert main.errors == [] and int(mask.sum()) == 6 and mask[15:18, 15:17].all()


def test_the_paint_dialog_starts_from_the_shape_chosen(qtbot, main):
    ws = main.workspaces["physical"]
    ws.state.params["shape"] = "block"
    dialog = ws.mask_dialog()
    assert dialog is not None
    assert np.array_equal(dialog.painter.mask, block_mask((32, 32), 0.05)[0].numpy() > 0.5)


def test_an_architecture_with_the_users_weights_is_attacked_with_them(qtbot, main, tmp_path):
    net = load_model("gtsrb-standard", "cpu").net
    weights = tmp_path / "mine.safetensors"
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(weights))
    ws = main.workspaces["physical"]
    for name, seeds in (("make", range(2)), ("held", range(50, 52))):
        ensure_demo_signs(tmp_path / name, seeds)  # its classes have no names: labels.csv gives stop's index
        lines = [f"{p.name},14" for p in sorted((tmp_path / name).glob("*.png"))]
        (tmp_path / name / "labels.csv").write_text("file,label\n" + "\n".join(lines) + "\n")
    ws.setup.images.setText(str(tmp_path / "make"))
    ws.setup.held_out.setText(str(tmp_path / "held"))
    with qtbot.waitSignal(ws.run_finished, timeout=WAIT_MS) as done:
        main.session.weights = str(weights)
        main.session.model = "gtsrb-cnn"
        qtbot.waitUntil(lambda: not main.runner.busy(), timeout=WAIT_MS)
        ws.setup.run_button.click()
    assert main.errors == [] and done.args[0].summary["held_out"]["images"] == 2
    assert done.args[0].names[0].startswith("class ")  # read by the architecture with the user's weights


def test_without_a_held_out_folder_the_grid_says_whose_views_it_shows(qtbot, main):
    ws = main.workspaces["physical"]
    ws.setup.held_out.setText("")
    with qtbot.waitSignal(ws.run_finished, timeout=WAIT_MS) as done:
        ws.setup.run_button.click()
    assert not done.args[0].held_out and len(ws.grid.captions) == GRID_VIEWS
    assert "images it was made on" in ws.grid_title.text() and "no held-out folder" in ws.summary.text()


def test_the_defences_table_shows_the_sticker_under_each_ticked_defence(qtbot, main):
    ws = main.workspaces["physical"]
    assert not ws.defence_box.isVisible()
    ws.defences.checkboxes["jpeg"].setChecked(True)
    ws.defences.checkboxes["bitdepth"].setChecked(True)
    ws.defences.forms["bitdepth"].editors["bits"].setValue(3)
    ws.defences.adaptive.setChecked(True)
    spec = ws.job_spec()
    assert spec.defenses == ["jpeg:quality=75", "bitdepth:bits=3"] and spec.adaptive
    with qtbot.waitSignal(ws.run_finished, timeout=WAIT_MS) as done:
        ws.setup.run_button.click()
    rows = done.args[0].summary["held_out"]["defences"]
    texts = ws.defence_table.texts()
    assert main.errors == [] and ws.defence_box.isVisible()
    assert [t[0] for t in texts] == ["no defence", "jpeg:quality=75", "bitdepth:bits=3", "pipeline (all 2)"]
    pattern = rows[3]["pattern"]
    assert texts[3][2] == f"{pattern['rate']:.1%} [{100 * pattern['low']:.1f}, {100 * pattern['high']:.1f}]"
    assert texts[3][4] == ("gets through" if rows[3]["fooled"] else "holds")
    assert texts[0][4] == ("works" if rows[0]["fooled"] else "fails")
    assert "made against them" in ws.defence_caption.text()
