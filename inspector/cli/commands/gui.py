"""``inspector gui [IMAGE]`` (and ``inspector`` alone): the desktop app, optionally scripted."""

from __future__ import annotations

import argparse

from inspector.attack_flags import add_attack_options
from inspector.cli.options import (
    add_compare_arguments,
    add_defense_spec_argument,
    add_model_options,
    add_threat_model_arguments,
)

NAME = "gui"
HELP = "open the desktop app (the default)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("image", nargs="?")
    add_model_options(p)
    add_attack_options(p)
    add_compare_arguments(p)
    add_threat_model_arguments(p)
    add_defense_spec_argument(p)
    p.add_argument("--presenter", action="store_true", help="start in presenter mode (F11 or Esc leaves it)")
    p.add_argument(
        "--window-size",
        type=window_size,
        metavar="WxH",
        help=f"the window's size in pixels, e.g. 1280x720 ({MIN_SIDE} to {MAX_SIDE} each); with --presenter: "
        "that size instead of full screen",
    )
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


MIN_SIDE, MAX_SIDE = 320, 16384


def window_size(text: str) -> tuple[int, int]:
    """``"1280x720"`` -> (1280, 720); raises argparse.ArgumentTypeError for anything else or a side
    outside [MIN_SIDE, MAX_SIDE]."""
    parts = text.lower().split("x")
    if len(parts) != 2 or not all(part.strip().isdigit() for part in parts):
        raise argparse.ArgumentTypeError(f"expected WIDTHxHEIGHT in pixels, e.g. 1280x720, not {text[:40]!r}")
    width, height = (int(part) for part in parts)
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise argparse.ArgumentTypeError(f"each side must be {MIN_SIDE} to {MAX_SIDE} pixels, not {width}x{height}")
    return width, height


def run(args) -> int:
    from inspector.gui.app import run_gui

    return run_gui(args)
