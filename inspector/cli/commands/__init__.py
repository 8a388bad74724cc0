"""The subcommands of ``inspector``, one module each.

A command module exports ``NAME`` (the subcommand), ``HELP`` (its line in ``inspector --help``),
``add_arguments(parser)`` and ``run(args) -> exit status``; it imports torch and the engine inside
``run`` only, so that ``inspector --help`` stays fast. Adding a command is a module here plus its
name in :data:`NAMES`.
"""

from importlib import import_module

#: The subcommands' modules, in the order ``inspector --help`` lists them.
NAMES = (
    "classify",
    "attack",
    "explain",
    "physical",
    "train",
    "harden",
    "detector",
    "evaluate",
    "corrupt",
    "certify",
    "poison",
    "scan",
    "steal",
    "invert",
    "replay",
    "membership",
    "models",
    "attacks",
    "gui",
    "install_desktop",
)

COMMANDS = [import_module(f"{__name__}.{name}") for name in NAMES]
