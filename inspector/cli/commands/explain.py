"""``inspector explain IMAGE``: where the model looks, as an attribution map, and with
``--adversarial`` how far that moved on an adversarial of the image."""

from __future__ import annotations

import argparse

from inspector.cli._common import print_json
from inspector.cli.options import add_model_options
from inspector.cli.params import add_param_arguments, describe, flag_errors, param_values
from inspector.core.explain import EXPLANATION_METHODS

NAME = "explain"
HELP = "show which pixels a class score owes most to, before and after an attack"
#: Short names of the methods, as the issue and the papers' readers write them.
ALIASES = {"ig": "integrated-gradients", "gradcam": "grad-cam"}


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.description = describe(EXPLANATION_METHODS)
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.add_argument("image")
    add_model_options(p)
    p.add_argument(
        "--method",
        choices=[*EXPLANATION_METHODS, *ALIASES],
        default="integrated-gradients",
        help="(default %(default)s; " + ", ".join(f"{a} is {n}" for a, n in ALIASES.items()) + ")",
    )
    add_param_arguments(p, EXPLANATION_METHODS)
    p.add_argument(
        "--class", dest="target", metavar="CLASS", help="class index or name to explain (default: the top-1)"
    )
    p.add_argument(
        "--adversarial",
        metavar="FILE",
        help="an adversarial of IMAGE (inspector attack's adversarial.png), explained too",
    )
    p.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps (default auto)")
    p.add_argument("--out", metavar="DIR", help="write original-map.png, adversarial-map.png, explanation.json here")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")


def run(args) -> int:
    from inspector.core.explain.explain import check_out_dir, explain_files

    if args.out:
        check_out_dir(args.out)
    with flag_errors(EXPLANATION_METHODS):
        explanation = explain_files(
            args.image,
            args.model,
            ALIASES.get(args.method, args.method),
            param_values(args, EXPLANATION_METHODS),
            target=args.target,
            adversarial=args.adversarial,
            device=args.device,
            weights=args.weights,
            trust_code=args.trust_model_code,
        )
    if args.out:
        explanation.save(args.out)
    summary = explanation.to_dict()
    if args.json:
        print_json(summary)
        return 0
    print(f"{summary['model']}, {summary['method']} ({summary['paper']})")
    for key in ("original", "adversarial"):
        if key in summary:
            _print_image(key, summary[key])
    print(explanation.sanity.describe())
    if "rank_correlation" in summary:
        print(
            f"before vs after: rank correlation {summary['rank_correlation']:.3f}, "
            f"{summary['mass_moved']:.1%} of the attribution mass moved"
        )
    if args.out:
        print(f"saved to {args.out}")
    return 0


def _print_image(key: str, entry: dict) -> None:
    label, explained = entry["label"], entry["explained_class"]
    line = f"{key}: read as {label['name']} ({label['probability']:.2%}), explaining {explained['name']}"
    if "completeness_delta" in entry:
        line += f", completeness delta {entry['completeness_delta']:+.4f}"
    print(line)
