"""``inspector models``: the built-in models, and the architectures that take the user's weights."""

from __future__ import annotations

import argparse

NAME = "models"
HELP = "list the built-in models"


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args) -> int:
    from inspector.core.models.architectures import ARCHITECTURES
    from inspector.core.models.loading import builtin_models

    for info in builtin_models().values():
        print(f"{info.name:22s} {info.task}\n{'':22s} {info.description}")
    print("\narchitectures for your weights (--model NAME --weights FILE):")
    for arch in ARCHITECTURES.values():
        print(f"{arch.name:22s} {arch.description}")
    return 0
