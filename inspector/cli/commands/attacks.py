"""``inspector attacks``: the attacks and their parameters, from the registry."""

from __future__ import annotations

import argparse

NAME = "attacks"
HELP = "list the attacks and their parameters"


def add_arguments(p: argparse.ArgumentParser) -> None:
    pass


def run(args) -> int:
    from inspector.core.attacks import ATTACKS
    from inspector.core.attacks.threat_model import THREAT_MODELS

    for cls in ATTACKS.values():
        under = ", ".join(t.name for t in THREAT_MODELS.values() if t.allows(cls.name))
        print(f"{cls.name:12s} {cls.title} ({cls.threat_model}; threat models: {under}) - {cls.paper}")
        paper = cls.preset("paper")
        for spec in cls.params():
            default = spec.default
            choice = f" [{'|'.join(spec.choices)}]" if spec.choices else ""
            preset = f" (--preset paper: {paper[spec.name]!r})" if spec.name in paper else ""
            print(f"    {spec.name:16s} default {default!r}{preset}{choice}: {spec.help}")
    return 0
