"""Start-up: a window is on screen before torch loads (seconds), then the main window follows."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("torch", "scipy", "pyqtgraph", "inspector.core.models.loading", "inspector.gui.main_window")


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
