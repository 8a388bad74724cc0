"""Start-up time of the desktop app, as a user launching it sees it.

Launches ``inspector gui --screenshot FILE`` (offscreen) in a new process,
``--runs`` times, and prints the median and the range of:

- splash: launch to the splash screen on screen, the first window (the app's
  own report, with ``INSPECTOR_TRACE_STARTUP`` set; see ``inspector/gui/app.py``);
- window: launch to the main window on screen (torch and the engine loaded);
- image: launch to the default model's top-1 on the sample photo on screen;
- exit: launch to the process's end (screenshot saved, window closed).

Target: a window on screen within 2 s.

    PYTHONPATH=. python bench/startup.py [--runs 5] [--exe dist/robustness-inspector/robustness-inspector]

Without ``--exe`` it runs ``python -m inspector`` with this Python.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EVENTS = ("splash-shown", "window-shown", "image-classified")


def launch_once(command: list[str], shot: Path) -> dict[str, float]:
    """Seconds from launch to each start-up event and to the exit of one run."""
    env = os.environ | {"QT_QPA_PLATFORM": "offscreen", "INSPECTOR_TRACE_STARTUP": "1"}
    start = time.time()
    proc = subprocess.run([*command, "gui", "--screenshot", str(shot)], env=env, capture_output=True, text=True)
    end = time.time()
    if proc.returncode or not shot.is_file():
        sys.exit(f"the app failed (exit status {proc.returncode}):\n{proc.stderr[-2000:]}")
    times = {"exit": end - start}
    for line in proc.stderr.splitlines():
        match line.split():
            case ["startup", event, stamp] if event in EVENTS and event not in times:
                times[event] = float(stamp) - start
    missing = [e for e in EVENTS if e not in times]
    if missing:
        sys.exit(f"the app did not report {', '.join(missing)}; stderr:\n{proc.stderr[-2000:]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--exe", help="an inspector executable (default: python -m inspector)")
    args = parser.parse_args()
    command = [args.exe] if args.exe else [sys.executable, "-m", "inspector"]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            runs.append(launch_once(command, Path(tmp) / f"shot{i}.png"))
            print(f"run {i + 1}: " + "  ".join(f"{k} {v:.2f} s" for k, v in runs[-1].items()), flush=True)
    print(f"median of {args.runs} runs (min - max):")
    for key, label in (
        ("splash-shown", "splash screen on screen"),
        ("window-shown", "main window on screen"),
        ("image-classified", "first image classified"),
        ("exit", "screenshot saved, exited"),
    ):
        values = [r[key] for r in runs]
        print(f"  {label:26s} {statistics.median(values):5.2f} s  ({min(values):.2f} - {max(values):.2f})")


if __name__ == "__main__":
    main()
