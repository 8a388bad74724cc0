"""Starting the desktop app, and its scriptable figure mode.

    inspector gui [IMAGE] [--model SPEC] [attack options] [--run] [--screenshot FILE.png]

With ``--run`` the attack starts once the image is loaded; with ``--screenshot``
the whole window is saved as a PNG when the run (or, without ``--run``, the
loading) finishes, and the app exits 0; on failure it prints one line on
stderr and exits 2. Works with ``QT_QPA_PLATFORM=offscreen``.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from inspector.core.attacks import make_attack
from inspector.core.errors import ExportError, ParameterError
from inspector.gui.main_window import APP_TITLE, MainWindow, app_icon
from inspector.gui.evasion.state import EvasionState
from inspector.gui.evasion.workspace import EvasionWorkspace
from inspector.gui.platform_check import platform_problem
from inspector.gui.session import Session
from inspector.options import attack_params

EXIT_ERROR = 2


def state_from_args(args) -> tuple[Session, EvasionState]:
    """The initial session and Evasion view state from the command line; attack parameters are checked here.

    Raises:
        ParameterError: an unknown attack or a bad parameter value.
    """
    session = Session(device=None if args.device in (None, "auto") else args.device)
    if args.model:
        session.model = args.model
    state = EvasionState()
    if args.image:
        state.image = args.image
    attack = make_attack(args.attack, attack_params(args))
    state.preset = args.preset
    state.attack = attack.name
    state.params[attack.name] = {spec.name: getattr(attack, spec.name) for spec in attack.params()}
    state.target = args.target
    if args.compare_direct and not args.compare:
        raise ParameterError("--compare-direct needs --compare MODEL ...")
    state.compare, state.compare_direct = list(args.compare), args.compare_direct
    return session, state


def save_screenshot(window: MainWindow, path: str) -> None:
    """Save the whole window as a PNG. Raises ExportError if it cannot be written."""
    QApplication.processEvents()
    if not window.grab().save(path):
        raise ExportError(f"cannot write the screenshot {path}")


def run_gui(args) -> int:
    """Open the main window; returns the exit status."""
    if not QApplication.instance() and (problem := platform_problem()):
        print(f"inspector: error: {problem}", file=sys.stderr)  # instead of Qt's abort
        return EXIT_ERROR
    session, state = state_from_args(args)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName(APP_TITLE)
    app.setWindowIcon(app_icon())
    scripted = bool(args.run or args.screenshot)
    window = MainWindow(session, states={EvasionWorkspace.name: state}, show_dialogs=not scripted)
    evasion = window.workspaces[EvasionWorkspace.name]
    if scripted:
        def fail(message: str) -> None:
            print(f"inspector: error: {message}", file=sys.stderr)
            app.exit(EXIT_ERROR)

        def finish(*_result) -> None:
            if args.screenshot:
                try:
                    save_screenshot(window, args.screenshot)
                except ExportError as exc:
                    fail(str(exc))
                    return
                print(f"saved {args.screenshot}")
            app.exit(0)

        window.error_occurred.connect(fail)
        if args.run:
            evasion.preview_ready.connect(evasion.run_attack)
            evasion.attack_finished.connect(finish)
        else:
            evasion.preview_ready.connect(finish)
    window.show()
    code = app.exec()
    window.close()
    return code
