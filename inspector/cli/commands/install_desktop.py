"""``inspector install-desktop``: add the app to this user's desktop menu, or remove it."""

from __future__ import annotations

import argparse

NAME = "install-desktop"
HELP = "add the app to this user's desktop menu (Linux: entry and icon)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--uninstall", action="store_true", help="remove the desktop entry and the icon")


def run(args) -> int:
    from inspector.desktop_entry import install, uninstall

    if args.uninstall:
        removed = uninstall()
        print("\n".join(f"removed {path}" for path in removed) or "nothing to remove")
    else:
        print("\n".join(f"installed {path}" for path in install()))
    return 0
