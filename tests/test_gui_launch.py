"""``inspector gui IMAGE --run`` starts the attack and leaves the window open; ``--quit-after`` ends the app."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from inspector.cli import build_parser
from inspector.core.io.resources import resource_path
from inspector.gui.launch import open_window

DIGIT = str(resource_path("images", "mnist-7.png"))
WAIT_MS = 120_000


def _window(qtbot, *flags):
    args = build_parser().parse_args(["gui", DIGIT, "--model", "mnist-standard", "--device", "cpu", *flags])
    window = open_window(args, QApplication.instance())
    qtbot.addWidget(window)
    return window


def test_run_starts_the_attack_and_leaves_the_window_open(qtbot):
    window = _window(qtbot, "--attack", "fgsm", "--run")
    evasion = window.workspaces["evasion"]
    with qtbot.waitSignal(evasion.attack_finished, timeout=WAIT_MS):
        window.show()
    qtbot.wait(50)  # a scripted run would queue the app's exit here
    assert window.isVisible() and getattr(window, "scripted_run", None) is None and window.show_dialogs
    with qtbot.waitSignal(evasion.preview_ready, timeout=WAIT_MS):
        evasion.load(DIGIT)  # a later image does not start another attack
    assert not window.busy()
    window.close()


def test_quit_after_makes_the_run_scripted(qtbot):
    window = _window(qtbot, "--attack", "fgsm", "--run", "--quit-after")
    assert window.scripted_run is not None and not window.show_dialogs
    window.runner.shutdown()
