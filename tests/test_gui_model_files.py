"""The app with the user's own model files: the Model file entry, the pickle confirmation, weights with an
architecture, and the Model set-up dialog, offscreen with pytest-qt on the MNIST model exported here."""

from __future__ import annotations

import json

import pytest
import torch
from PySide6.QtWidgets import QInputDialog, QMessageBox
from safetensors.torch import save_file
from test_model_trust import MarkingModel

from inspector.core.io.resources import resource_path
from inspector.gui.main_window import MODEL_FILE, MODEL_FILTER, MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.evasion.state import EvasionState

WAIT_MS = 60_000
DIGIT = str(resource_path("images", "mnist-7.png"))
DIGIT_NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


@pytest.fixture
def digits_pt2(tmp_path, mnist_model):
    path = tmp_path / "digits.pt2"
    program = torch.export.export(
        mnist_model.net, (torch.rand(2, 1, 28, 28),), dynamic_shapes=({0: torch.export.Dim("batch", max=64)},)
    )
    torch.export.save(program, str(path))
    return path


def open_window(qtbot, tmp_path, model: str) -> MainWindow:
    win = MainWindow(
        Session(model=model, device="cpu"),
        Settings(tmp_path / "settings.json"),
        states={"evasion": EvasionState(image=DIGIT)},
        show_dialogs=False,
    )
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.show()
    return win


def wait_idle(qtbot, win: MainWindow) -> None:
    qtbot.waitUntil(lambda: not win.busy(), timeout=WAIT_MS)


def top1(win: MainWindow) -> str:
    return win.workspaces["evasion"].state.preview.classification.top_k[0]["name"]


def test_the_picker_offers_model_files_of_every_format(qtbot, tmp_path, digits_pt2):
    win = open_window(qtbot, tmp_path, str(digits_pt2))
    items = [win.model_combo.itemText(i) for i in range(win.model_combo.count())]
    assert MODEL_FILE == "Model file\u2026" and MODEL_FILE in items and str(digits_pt2) in items
    for suffix in ("*.pt2", "*.onnx", "*.pt", "*.pth", "*.safetensors"):
        assert suffix in MODEL_FILTER
    assert top1(win) == "class 7"
    win.close()


def test_a_pickled_model_loads_only_after_the_user_confirms(qtbot, tmp_path, monkeypatch):
    path, marker = tmp_path / "whole.pt", tmp_path / "ran.txt"
    torch.save(MarkingModel(marker), path)
    (tmp_path / "whole.pt.inspector.json").write_text('{"input_size": [28, 28], "channels": 1}')
    win = open_window(qtbot, tmp_path, "mnist-standard")
    questions = []

    def answer(reply):
        def warning(parent, title, text, *args):
            questions.append(text)
            return reply

        return warning

    monkeypatch.setattr(QMessageBox, "warning", answer(QMessageBox.StandardButton.No))
    win.open_model_file(str(path))
    wait_idle(qtbot, win)
    assert "runs code from the file" in questions[0] and "torch.export program (.pt2)" in questions[0]
    assert win.session.model == "mnist-standard" and not marker.exists()

    monkeypatch.setattr(QMessageBox, "warning", answer(QMessageBox.StandardButton.Yes))
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.open_model_file(str(path))
    assert marker.exists() and win.session.model == str(path) and win.session.trust_code
    assert top1(win) == "class 7"
    win.close()


def test_weights_load_with_the_architecture_the_user_picks(qtbot, tmp_path, monkeypatch, mnist_model):
    weights = tmp_path / "mine.safetensors"
    save_file({k: v.contiguous() for k, v in mnist_model.net.state_dict().items()}, str(weights))
    win = open_window(qtbot, tmp_path, "mnist-standard")
    offered = []

    def pick(parent, title, label, items, *args):
        offered.extend(items)
        return "mnist-cnn", True

    monkeypatch.setattr(QInputDialog, "getItem", pick)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.open_model_file(str(weights))
    assert "mnist-cnn" in offered and "efficientnet-lite2" in offered
    assert (win.session.model, win.session.weights) == ("mnist-cnn", str(weights))
    assert win.model_combo.currentText() == "mnist-cnn + mine.safetensors"
    assert top1(win) == "class 7" and win.model_file() == weights
    win.close()


def test_model_setup_previews_and_writes_the_sidecar(qtbot, tmp_path, digits_pt2):
    win = open_window(qtbot, tmp_path, str(digits_pt2))
    dialog = win.open_model_setup()
    qtbot.addWidget(dialog)
    assert (dialog.height_box.value(), dialog.width_box.value(), dialog.channels_box.currentData()) == (28, 28, 1)
    assert dialog.sample_box.currentText().startswith("mnist-") and dialog.refresh()
    digit = int(dialog.sample_box.currentText()[len("mnist-")])
    assert f"28x28, shorter-side-crop; top-1 class {digit} (" in dialog.caption.text()

    dialog.names_edit.setPlainText("\n".join(DIGIT_NAMES))
    assert dialog.refresh() and f"top-1 {DIGIT_NAMES[digit]}" in dialog.caption.text()
    dialog.names_edit.setPlainText("one\ntwo")  # too few names: said, and no saving
    assert not dialog.refresh() and "2 class names for the model's 10 outputs" in dialog.status.text()
    assert not dialog.buttons.button(dialog.buttons.StandardButton.Save).isEnabled()
    dialog.mean_edit.setText("0.5, x")
    assert not dialog.refresh() and "mean must be one number" in dialog.status.text()
    dialog.mean_edit.setText("0")
    (tmp_path / "digits.txt").write_text("\n".join(DIGIT_NAMES) + "\n")
    dialog.names_file_edit.setText("digits.txt")
    assert dialog.refresh() and not dialog.names_edit.isEnabled()

    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        dialog.save()
    written = json.loads((tmp_path / "digits.pt2.inspector.json").read_text())
    assert written["class_names_file"] == "digits.txt" and written["input_size"] == [28, 28]
    assert written["channels"] == 1 and written["resize"] == "shorter-side-crop"
    assert top1(win) == "seven"  # the app reloaded the model with it
    win.close()


def test_model_setup_is_for_model_files_only(qtbot, tmp_path):
    win = open_window(qtbot, tmp_path, "mnist-standard")
    errors = []
    win.error_occurred.connect(errors.append)
    assert win.open_model_setup() is None and "open one first" in errors[0]
    win.close()
