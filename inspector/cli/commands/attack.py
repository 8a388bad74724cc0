"""``inspector attack IMAGE``: attack one image and report what changed (with defences, detectors,
a threat model, or side by side with other models)."""

from __future__ import annotations

import argparse

from inspector.attack_flags import add_attack_options, attack_params
from inspector.cli._common import print_json
from inspector.cli.arguments import count
from inspector.cli.commands.classify import print_top
from inspector.cli.options import (
    add_compare_arguments,
    add_defense_arguments,
    add_model_options,
    add_threat_model_arguments,
    threat_model_fields,
)
from inspector.core.evasion.summary import summary_line
from inspector.core.util.errors import ParameterError
from inspector.core.util.units import linf_text

NAME = "attack"
HELP = "attack an image and report what changed"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("image")
    add_model_options(p)
    add_attack_options(p)
    p.add_argument("--top", type=count(), default=5, metavar="K")
    p.add_argument("--out-dir", help="write original.png, adversarial.png, perturbation.png, result.json here")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_defense_arguments(p)
    add_compare_arguments(p)
    add_threat_model_arguments(p)


def print_defenses(summary: dict) -> None:
    """A compact table: top-1 of the original and the adversarial under each defence, and detector flags."""
    if summary["defenses"]:
        print(f"attack mode: {summary['attack']['mode']}")
        print(f"  {'defence':32s} {'original':28s} {'adversarial':28s} fooled")
        for row in summary["defenses"]:
            o, a = row["original"]["label"], row["adversarial"]["label"]
            print(
                f"  {row['defense']:32s} {o['name'][:20]:20s} {o['probability']:6.1%}  "
                f"{a['name'][:20]:20s} {a['probability']:6.1%}  {'yes' if row['success'] else 'no'}"
            )
    for d in summary["detections"]:
        if not d["available"]:
            print(f"  detector {d['detector']}: not available: {d['reason']}")
            continue
        flags = "  ".join(
            f"{k} {d[k]['score']:.4f}{' FLAGGED' if d[k]['flagged'] else ''}" for k in ("original", "adversarial")
        )
        print(
            f"  detector {d['detector']}: threshold {d['threshold']:.4f} "
            f"(fpr {d['fpr']:g}, {d['calibration_images']} clean images)  {flags}"
        )


def run(args) -> int:
    from inspector.core.evasion.inspect import check_out_dir, inspect
    from inspector.core.evasion.recipe import Recipe

    check_out_dir(args.out_dir)
    recipe = Recipe(
        image=args.image,
        attack=args.attack,
        params=attack_params(args),
        target=args.target,
        device=args.device,
        top_k=args.top,
        defenses=args.defense,
        adaptive=args.adaptive,
        detectors=args.detect,
        ensemble=args.ensemble,
        ensemble_rule=args.ensemble_rule,
        eot_samples=args.eot_samples,
        calibration=args.calibration,
        **threat_model_fields(args),
    )
    if args.model:
        recipe.model = args.model
    recipe.weights, recipe.trust_model_code = args.weights, args.trust_model_code
    if args.compare:
        return _compare(args, recipe)
    if args.compare_direct:
        raise ParameterError("--compare-direct needs --compare MODEL ...")
    result = inspect(recipe)
    if args.out_dir:
        result.save(args.out_dir)
    summary = result.to_dict()
    if args.json:
        print_json(summary)
        return 0
    print_top("original:", summary["original"]["top_k"])
    print_top("adversarial:", summary["adversarial"]["top_k"])
    print(summary_line(summary))
    print_defenses(summary)
    if args.out_dir:
        print(f"saved to {args.out_dir}")
    return 0


def _compare(args, recipe) -> int:
    from inspector.core.evasion.compare import compare

    comparison = compare(recipe, args.compare, direct=args.compare_direct)
    if args.out_dir:
        comparison.source.save(args.out_dir)
    summary = comparison.to_dict()
    if args.json:
        print_json(summary)
        return 0
    src = summary["source"]
    print(
        f"attack {src['attack']['name']} (loss {src['attack']['loss']}) on {src['model']['name']}: "
        f"{'SUCCESS' if src['success'] else 'failed'}, {linf_text(src['norms']['linf'])}"
    )
    header = f"{'model':22s} {'original':>16s} {'transfer':>16s}"
    print(header + (f" {'direct attack':>16s}" if args.compare_direct else ""))
    for row in summary["models"]:
        cells = [row["original"]["label"], row["transfer"]["label"]]
        if "direct" in row:
            cells.append(row["direct"]["adversarial"]["label"])
        text = " ".join(f"{c['name']:>8s} {c['probability']:7.2%}" for c in cells)
        print(f"{row['model']:22s} {text}" + ("  (fooled by transfer)" if row["transfer_fooled"] else ""))
    if args.out_dir:
        print(f"saved the attack on {src['model']['name']} to {args.out_dir}")
    return 0
