"""``inspector classify IMAGE``: the top-k classes of one image."""

from __future__ import annotations

import argparse

from inspector.cli._common import print_json
from inspector.cli.arguments import count
from inspector.cli.options import add_model_options

NAME = "classify"
HELP = "classify an image"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("image")
    add_model_options(p)
    p.add_argument("--top", type=count(), default=5, metavar="K", help="how many classes to show (default 5)")
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default auto)")
    p.add_argument("--json", action="store_true", help="print JSON")


def print_top(title: str, top: list[dict]) -> None:
    """``title``, then one line per class: probability, index, name."""
    print(title)
    for row in top:
        print(f"  {row['probability']:7.2%}  {row['index']:4d}  {row['name']}")


def run(args) -> int:
    from inspector.core.evasion.classify import classify

    result = classify(
        args.image, args.model, device=args.device, k=args.top, weights=args.weights, trust_code=args.trust_model_code
    )
    if args.json:
        print_json(result.to_dict())
    else:
        print_top(args.image, result.top_k)
    return 0
