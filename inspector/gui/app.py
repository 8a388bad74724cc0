"""Starting the desktop app, and its scriptable figure mode.

    inspector gui [IMAGE] [--model SPEC] [attack options] [--defense SPEC ...] [--presenter]
                  [--window-size WxH] [--run] [--quit-after] [--screenshot FILE.png]

With ``--run`` the attack starts once the image is loaded, and the window stays open;
with ``--quit-after`` the app exits 0 when the run (or, without ``--run``, the loading)
finishes; ``--screenshot`` also saves the whole window as a PNG then. Both print one
line on stderr and exit 2 on failure. Works with ``QT_QPA_PLATFORM=offscreen``.

A splash screen is on screen as soon as Qt is up: torch and the engine load
behind it (:mod:`inspector.gui.launch`), which takes seconds. This module
imports neither. ``INSPECTOR_TRACE_STARTUP`` prints when each is shown
(:mod:`inspector.gui.startup_trace`, ``bench/startup.py``).
"""

from __future__ import annotations

import signal
import sys

from PySide6.QtCore import QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from inspector.core.util.errors import EXIT_ERROR, EXIT_STOPPED
from inspector.desktop_entry import APP_ID
from inspector.gui.branding import APP_TITLE, app_icon, show_splash
from inspector.gui.platform_check import platform_problem
from inspector.gui.startup_trace import trace_startup


def run_gui(args) -> int:
    """Open the main window; returns the exit status.

    Raises:
        ParameterError: an unknown attack or a bad parameter value.
    """
    if not QApplication.instance() and (problem := platform_problem()):
        print(f"inspector: error: {problem}", file=sys.stderr)  # instead of Qt's abort
        return EXIT_ERROR
    if not getattr(args, "debug", False):
        qInstallMessageHandler(_drop_qt_message)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_ID)  # X11's WM_CLASS: the desktop entry's StartupWMClass
    app.setApplicationDisplayName(APP_TITLE)
    app.setDesktopFileName(APP_ID)  # Wayland's app id: the desktop entry's file name
    app.setWindowIcon(app_icon())
    splash = show_splash("loading PyTorch\u2026")
    trace_startup("splash-shown")
    try:
        from inspector.gui.launch import open_window  # torch and the engine: seconds, behind the splash

        window = open_window(args, app)
        window.show()
    finally:
        splash.close()
    interrupted = _quit_on_interrupt(app)
    QTimer.singleShot(0, lambda: trace_startup("window-shown"))  # once the event loop has painted it
    code = app.exec()
    window.close()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    scripted = getattr(window, "scripted_run", None)
    if scripted is not None and scripted.code is not None:
        code = scripted.code  # the first outcome decides, whatever ended the loop
    return EXIT_STOPPED if interrupted else code


def _drop_qt_message(kind: QtMsgType, context, message: str) -> None:
    """Qt's own diagnostics (``This plugin does not support propagateSizeHints()``...) are for
    developers: shown with ``--debug`` only, so that a scripted run's stderr holds its one error line."""


def _quit_on_interrupt(app: QApplication) -> list[bool]:
    """Ctrl-C ends the event loop cleanly (a save under way finishes first) instead of raising
    KeyboardInterrupt in whatever slot or exit hook runs next. Returns a list that holds True
    once interrupted. A timer lets Python run its signal handler while Qt waits."""
    interrupted: list[bool] = []

    def on_interrupt(*_args) -> None:
        interrupted.append(True)
        app.quit()

    signal.signal(signal.SIGINT, on_interrupt)
    tick = QTimer(app)
    tick.timeout.connect(lambda: None)
    tick.start(200)
    return interrupted
