"""The main window as the command line asks for it: its initial state and the scripted mode.

This imports torch and the whole engine (seconds on a CPU): :mod:`inspector.gui.app`
imports it behind the splash screen.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from inspector.attack_flags import attack_params
from inspector.core.attacks import make_attack
from inspector.core.util.errors import EXIT_ERROR, ExportError, ParameterError
from inspector.core.util.messages import show_path
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.startup_trace import trace_startup
from inspector.gui.workspaces.evasion.state import EvasionState
from inspector.gui.workspaces.evasion.workspace import EvasionWorkspace


def state_from_args(args) -> tuple[Session, EvasionState]:
    """The initial session and Evasion view state from the command line; attack parameters and
    defences are checked here.

    Raises:
        ParameterError: an unknown attack or defence, or a bad parameter value.
    """
    session = Session(device=None if args.device in (None, "auto") else args.device)
    if args.model:
        session.model = args.model
    session.weights, session.trust_code = args.weights, args.trust_model_code
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
    state.use_defenses(list(args.defense))
    state.use_threat(args.output_mode, args.throttle, args.stateful_detector, list(args.surrogate))
    return session, state


def save_screenshot(window: MainWindow, path: str) -> None:
    """Save the whole window as a PNG. Raises ExportError if it cannot be written."""
    QApplication.processEvents()
    if not window.grab().save(path):
        raise ExportError(f"cannot write the screenshot {show_path(path)}")


def open_window(args, app: QApplication) -> MainWindow:
    """The main window for ``args``, not shown yet. With ``--quit-after`` or ``--screenshot`` it ends
    ``app``'s event loop when done (0) or at the first error (2, with one line on stderr):
    see :class:`ScriptedRun`; ``--run`` alone starts the attack and leaves the window open.

    Raises:
        ParameterError: an unknown attack or a bad parameter value.
    """
    session, state = state_from_args(args)
    scripted = bool(getattr(args, "quit_after", False) or args.screenshot)
    window = MainWindow(session, states={EvasionWorkspace.name: state}, show_dialogs=not scripted)
    if args.window_size:
        window.resize(*args.window_size)
    if args.presenter:
        window.set_presentation(True, full_screen=not args.window_size)
    evasion = window.workspaces[EvasionWorkspace.name]
    evasion.preview_ready.connect(lambda: trace_startup("image-classified"))
    if scripted:
        window.scripted_run = ScriptedRun(window, evasion, app, run=args.run, screenshot=args.screenshot)
    elif args.run:
        run_once_loaded(evasion)
    return window


def run_once_loaded(evasion: EvasionWorkspace) -> None:
    """``--run`` without ``--quit-after``: start the attack once the first image is loaded, then leave
    the window to the user (a later image does not start another)."""

    def start() -> None:
        evasion.preview_ready.disconnect(start)
        evasion.run_attack()

    evasion.preview_ready.connect(start)


class ScriptedRun:
    """``--run`` and ``--screenshot``: load the image, run the attack (with ``--run``), save the
    screenshot, and end the event loop with 0; or, at the FIRST error, print its one line on stderr,
    stop whatever runs (no attack starts after it, no screenshot is saved) and end the loop with 2.

    The exit is queued (a zero-delay timer), so it takes effect also when the error comes before
    the event loop runs (``QApplication.exit`` is ignored then, which left the app open for good).

    Attributes:
        code: the exit status once decided (None until then).
    """

    def __init__(
        self, window: MainWindow, evasion: EvasionWorkspace, app: QApplication, *, run: bool, screenshot: str | None
    ):
        self.window, self.evasion, self.app, self.screenshot = window, evasion, app, screenshot
        self.code: int | None = None
        window.error_occurred.connect(self.fail)
        if run:
            evasion.preview_ready.connect(self._start_attack)
            evasion.attack_finished.connect(self.finish)
        else:
            evasion.preview_ready.connect(self.finish)

    def _start_attack(self) -> None:
        if self.code is None:
            self.evasion.run_attack()

    def fail(self, message: str) -> None:
        """The first error: its one line on stderr, then exit 2; later errors add nothing."""
        if self.code is not None:
            return
        print(f"inspector: error: {message}", file=sys.stderr, flush=True)
        self._end(EXIT_ERROR)

    def finish(self, *_result) -> None:
        """Done (unless an error came first): save the screenshot, then exit 0."""
        if self.code is not None:
            return
        if self.screenshot:
            try:
                save_screenshot(self.window, self.screenshot)
            except ExportError as exc:
                self.fail(str(exc))
                return
            print(f"saved {self.screenshot}")
        self._end(0)

    def _end(self, code: int) -> None:
        self.code = code
        self.window.runner.cancel()
        QTimer.singleShot(0, lambda: self.app.exit(code))
