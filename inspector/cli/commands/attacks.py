"""``inspector attacks``: the attacks and their parameters, from the registry."""

from __future__ import annotations

import argparse

from inspector.core.util.units import grey_levels

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
            choice = f" [{'|'.join(spec.choices)}]" if spec.choices else ""
            preset = f" (--preset paper: {_shown(spec, paper[spec.name])})" if spec.name in paper else ""
            print(f"    {spec.name:16s} default {_shown(spec, spec.default)}{preset}{choice}: {spec.help}")
    return 0


def _shown(spec, value) -> str:
    """A parameter's value as people quote it: pixel budgets in grey levels (``4/255``), numbers short."""
    if spec.zero and value == 0:
        return spec.zero
    if spec.unit == "pixel" and isinstance(value, float):
        return grey_levels(value)
    return f"{value:g}" if isinstance(value, float) else repr(value)
