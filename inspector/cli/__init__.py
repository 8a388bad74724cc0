"""The ``inspector`` command: the same ``run`` API as the GUI, headless.

    inspector                      open the desktop app
    inspector classify IMAGE       top-k classes
    inspector attack IMAGE ...     attack, report, and optionally save the files
    inspector poison ...           train a backdoored MNIST model, sweep poison rates
    inspector scan MODEL           Neural Cleanse: is there a backdoor, to which class
    inspector membership ...       membership inference on a shipped MNIST model
    inspector models | attacks     what is built in (models, architectures for --weights, attacks)
    inspector install-desktop      add the app to the desktop menu

One module per subcommand in :mod:`inspector.cli.commands`, each with ``NAME``, ``HELP``,
``add_arguments(parser)`` and ``run(args) -> exit status``; adding one is a module there plus its
name in :data:`inspector.cli.commands.NAMES`. What the commands share is in :mod:`._common`
(exit statuses, Ctrl-C, JSON), :mod:`.options`, :mod:`.arguments` and :mod:`.progress`.

Bad input, argument errors included, ends with one line on stderr and exit status 2
(``--debug`` shows the traceback); file names with control characters are quoted,
so a newline in one cannot split it. After a successful command, what was fixed up
in the input is one ``inspector: note: ...`` line on stderr per fix, and other
warnings are one line each too.
"""

from __future__ import annotations

import argparse
import re
import sys
import traceback
import warnings
from typing import NoReturn

from inspector.cli._common import EXIT_ERROR, EXIT_UNEXPECTED, stopped
from inspector.cli.commands import COMMANDS
from inspector.core.util.errors import InputWarning, InspectorError
from inspector.core.util.messages import escape_controls, one_line, show_path


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line on stderr, with a hint to ``--help``
    instead of the usage block, then exit status 2. Its subcommand parsers are of this class too.

    Attributes:
        commands: the subcommand parsers by name (set by :func:`build_parser`).
    """

    commands: dict[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        message = re.sub(r"^argument (\S+): must ", r"\1 must ", message)  # "--steps must be at most ..."
        self.exit(EXIT_ERROR, f"inspector: error: {escape_controls(message)} (see {self.prog} --help)\n")


def build_parser() -> OneLineParser:
    parser = OneLineParser(prog="inspector", description="How fragile is an image classifier?")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command")
    for command in COMMANDS:
        command.add_arguments(sub.add_parser(command.NAME, help=command.HELP))
    parser.commands = sub.choices
    return parser


def parse_args(parser: OneLineParser, argv: list[str]) -> argparse.Namespace:
    """Parse ``argv``; an unrecognised argument is reported by the subcommand's parser (its --help is the hint)."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        parser.commands.get(args.command, parser).error(f"unrecognized arguments: {' '.join(extra)}")
    return args


#: Warnings meant for developers: passed on to Python's warning machinery, never shown as notes.
DEVELOPER_WARNINGS = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


def report_warnings(caught: list[warnings.WarningMessage], succeeded: bool) -> None:
    """After a command: one line per warning on stderr, ``inspector: note: ...`` for fixed-up input
    (an :class:`InputWarning`), ``inspector: warning: ...`` for others; none after a failure, whose
    one error line says what matters. Developer warnings go back to Python's warning machinery."""
    for w in caught:
        if issubclass(w.category, DEVELOPER_WARNINGS):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        elif succeeded:
            kind = "note" if issubclass(w.category, InputWarning) else "warning"
            print(f"inspector: {kind}: {escape_controls(one_line(w.message, limit=300))}", file=sys.stderr)


#: The subcommands' ``run`` functions by name.
RUN = {command.NAME: command.run for command in COMMANDS}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else argv
    if not [a for a in argv if a != "--debug"]:
        argv = [*argv, "gui"]
    try:
        args = parse_args(parser, argv)
    except SystemExit as exc:  # the parser printed its one line (or --help): its status, also in-process
        return 0 if exc.code is None else exc.code
    if args.command == "gui" or args.debug:
        return _run(args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # recorded whatever -W or pytest set: notes are output, not errors
        code = _run(args)
    report_warnings(caught, succeeded=code == 0)
    return code


def _run(args: argparse.Namespace) -> int:
    try:
        return RUN[args.command](args)
    except InspectorError as exc:
        return _fail(args, str(exc))
    except OSError as exc:  # the environment, not a bug: a file the core did not expect to fail
        where = f"{show_path(exc.filename)}: " if exc.filename is not None else ""
        return _fail(args, f"{where}{exc.strerror or one_line(exc)}")
    except KeyboardInterrupt:
        return stopped("interrupted")
    except Exception as exc:  # noqa: BLE001 - last resort: one line, not a traceback
        if args.debug:
            traceback.print_exc()
        else:
            print(
                f"inspector: unexpected error: {type(exc).__name__}: {escape_controls(one_line(exc))} "
                "(run with --debug for details)",
                file=sys.stderr,
            )
        return EXIT_UNEXPECTED


def _fail(args: argparse.Namespace, message: str) -> int:
    """Print ``inspector: error: message`` on one line (after the traceback with --debug); the exit status."""
    if args.debug:
        traceback.print_exc()
    print(f"inspector: error: {escape_controls(message)}", file=sys.stderr)
    return EXIT_ERROR
