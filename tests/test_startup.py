"""Start-up: a window is on screen before torch loads (seconds), then the main window follows; the main
window builds only the visible workspace and loads no heavy optional module (scipy, onnx, ...)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "scipy", "pyqtgraph", "inspector.core.models.loading", "inspector.gui.main_window")
#: Loaded only by the feature that uses them (each takes a large part of a second or more to import).
OPTIONAL_HEAVY = ("scipy", "onnx", "onnxruntime", "opacus", "ray", "sklearn", "captum", "inspector.core.explain")
MAIN_WINDOW = f"""
import sys, time
from PySide6.QtWidgets import QApplication
app = QApplication([])
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
window = MainWindow(Session(model="mnist-standard", device="cpu"), show_dialogs=False)
window.show()
app.processEvents()
while window.busy():  # the first image's classification
    app.processEvents()
    time.sleep(0.01)
print([m for m in {OPTIONAL_HEAVY!r} if m in sys.modules])
print([workspace.name for workspace in window.workspaces.values()])
window.close()
"""


def test_the_command_and_the_launcher_import_nothing_heavy():
    code = f"import sys, inspector.cli, inspector.gui.app; print([m for m in {HEAVY!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_splash_screen_comes_first_then_the_window_then_the_image(tmp_path):
    shot = tmp_path / "shot.png"
    env = dict(
        os.environ, QT_QPA_PLATFORM="offscreen", INSPECTOR_TRACE_STARTUP="1", XDG_CONFIG_HOME=str(tmp_path / "config")
    )
    done = subprocess.run(
        [sys.executable, "-m", "inspector", "gui", "--window-size", "1366x768", "--screenshot", str(shot)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    events = [line.split() for line in done.stderr.splitlines() if line.startswith("startup ")]
    assert [e[1] for e in events] == ["splash-shown", "window-shown", "image-classified"]
    times = [float(e[2]) for e in events]
    assert times == sorted(times)
    with Image.open(shot) as image:
        assert image.size == (1366, 768)


def test_the_main_window_builds_the_first_tab_only_and_loads_no_heavy_optional_module(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    done = subprocess.run(
        [sys.executable, "-c", MAIN_WINDOW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == ["[]", "['evasion']"]
