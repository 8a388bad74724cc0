"""How long the GUI event loop stalls while a PGD attack runs on the CPU.

A QTimer fires every 5 ms on the GUI thread; each firing's lateness (time since
the previous firing, minus 5 ms) is a stall the user would feel as a frozen
window. Prints the worst and the 99th-percentile lateness during the attack,
with the number of live frames drawn. Target: worst < 50 ms.

    QT_QPA_PLATFORM=offscreen PYTHONPATH=. python bench/gui_stall.py [--steps 40] [--baseline-s 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from inspector.gui.main_window import MainWindow  # noqa: E402
from inspector.gui.session import Session  # noqa: E402
from inspector.gui.settings import Settings  # noqa: E402
from inspector.gui.workspaces.evasion.state import EvasionState  # noqa: E402

INTERVAL_MS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--baseline-s", type=float, default=3.0, help="idle measurement first (seconds)")
    args = parser.parse_args()

    app = QApplication([])
    state = EvasionState()
    settings = Settings(Path(tempfile.mkdtemp(prefix="gui-stall-")) / "settings.json")  # not the user's
    main_window = MainWindow(Session(device="cpu"), settings, states={"evasion": state}, show_dialogs=False)
    main_window.error_occurred.connect(lambda message: (print("error:", message), app.exit(2)))
    window = main_window.workspaces["evasion"]
    main_window.show()
    loop_until(app, window.preview_ready)

    state.params["pgd"] = dict(state.attack_params(), steps=args.steps)
    window.attack_panel.form.set_attack("pgd", state.params["pgd"])
    frames = []
    lateness: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, (now - last[0]) * 1000.0 - INTERVAL_MS))
        last[0] = now

    timer = QTimer()
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(tick)
    window.panes.items[2].sigImageChanged.connect(lambda: frames.append(1))

    # Baseline: the same timer with the window idle, to tell the machine's own noise from ours.
    timer.start()
    last[0] = time.perf_counter()
    QTimer.singleShot(int(args.baseline_s * 1000), app.quit)
    app.exec()
    idle = np.array(lateness)
    lateness.clear()
    last[0] = time.perf_counter()
    last[0] = time.perf_counter()
    start = time.perf_counter()
    window.run_attack()
    inspection = loop_until(app, window.attack_finished)
    elapsed = time.perf_counter() - start
    timer.stop()
    main_window.close()

    late = np.array(lateness)
    print(
        f"idle window, {args.baseline_s:g} s: worst {idle.max():.1f} ms, p99 {np.percentile(idle, 99):.1f} ms "
        f"(the machine's own scheduling noise)"
    )
    print(
        f"PGD {args.steps} steps on CPU ({os.cpu_count()} cores, torch threads in the worker: "
        f"{max(1, (os.cpu_count() or 2) - 1)}): attack {inspection.attack_time_s:.2f} s, wall {elapsed:.2f} s"
    )
    print(f"timer firings: {late.size}; live frames drawn: {len(frames)}")
    print(
        f"event-loop lateness: worst {late.max():.1f} ms, p99 {np.percentile(late, 99):.1f} ms, "
        f"median {np.median(late):.1f} ms (target: worst < 50 ms)"
    )


def loop_until(app: QApplication, signal):
    """Run the event loop until ``signal`` fires; return its first argument."""
    got = []
    signal.connect(lambda *a: (got.append(a[0] if a else None), app.exit(0)))
    app.exec()
    return got[0]


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
