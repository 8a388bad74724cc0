"""``inspector gui [IMAGE]`` (and ``inspector`` alone): the desktop app, optionally scripted."""

from __future__ import annotations

import argparse

from inspector.attack_flags import add_attack_options
from inspector.cli.options import add_compare_arguments, add_model_options, add_threat_model_arguments

NAME = "gui"
HELP = "open the desktop app (the default)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("image", nargs="?")
    add_model_options(p)
    add_attack_options(p)
    add_compare_arguments(p)
    add_threat_model_arguments(p)
    p.add_argument(
        "--run", action="store_true", help="start the attack as soon as the image is loaded; the window stays open"
    )
    p.add_argument(
        "--quit-after",
        action="store_true",
        help="exit when done (after --run: when the attack ends) with status 0, or 2 with one line on stderr "
        "at the first error",
    )
    p.add_argument(
        "--screenshot",
        metavar="FILE.png",
        help="save a screenshot of the window when done (after --run: when the attack ends), then exit "
        "(as --quit-after)",
    )


def run(args) -> int:
    from inspector.gui.app import run_gui

    return run_gui(args)
