"""The attack flags of ``inspector attack`` and ``inspector gui``, and reading them back.

Qt-free and torch-free, and outside :mod:`inspector.cli`: the GUI's launcher
(:mod:`inspector.gui.launch`) reads these flags too, and the GUI may not import the CLI.
"""

from __future__ import annotations

import argparse


def _param_pair(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"{text!r} is not of the form key=value")
    return key.strip(), value.strip()


def add_attack_options(p: argparse.ArgumentParser) -> None:
    """The attack options shared by `attack` and `gui`; read them back with :func:`attack_params`."""
    p.add_argument("--attack", default="pgd", help="attack name, see `inspector attacks` (default pgd)")
    p.add_argument(
        "--preset",
        default="default",
        help="parameter values to start from: default (budgets that finish in seconds on a CPU) or "
        "paper (the published budgets); the flags below override them",
    )
    p.add_argument("--eps", help="perturbation budget in [0, 1] units; fractions like 4/255 work")
    p.add_argument("--steps", help="iterations")
    p.add_argument("--step-size", help="step size in [0, 1] units, e.g. 1/255")
    p.add_argument("--norm", help="linf or l2")
    p.add_argument("--seed", help="random seed")
    p.add_argument(
        "--param",
        action="append",
        type=_param_pair,
        default=[],
        metavar="KEY=VALUE",
        help="any attack parameter (repeatable)",
    )
    p.add_argument("--target", metavar="CLASS", help="targeted attack: class index or name")
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default auto)")


def attack_params(args) -> dict:
    """Attack parameters: the values ``--preset`` sets, with the shorthand flags and the repeatable
    --param over them.

    Raises:
        ParameterError: an unknown preset.
    """
    from inspector.core.attacks import ATTACKS  # here, so that the command line starts without torch

    cls = ATTACKS.get(args.attack.strip().lower())
    params = cls.preset(args.preset) if cls is not None else {}  # an unknown attack is reported when built
    params.update(
        {
            k: v
            for k, v in (
                ("eps", args.eps),
                ("steps", args.steps),
                ("step_size", args.step_size),
                ("norm", args.norm),
                ("seed", args.seed),
            )
            if v is not None
        }
    )
    params.update(dict(args.param))
    return params
