"""``inspector replay SOURCE``: run a saved attack or evaluation again and check it gives the same bytes.

SOURCE is an attack's result.json (or its folder, or a bare recipe) or an evaluation's
``--out`` folder, its manifest.json or its HTML report. Exit 0: the replay matches what was
saved (or nothing was saved to compare with); 1: it differs, said in one line; 2: bad input.
"""

from __future__ import annotations

import argparse
import json
import sys

from inspector.arguments import count

EXIT_DIFFERS = 1


def add_replay_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("source", help="an attack's result.json, its folder or a recipe; "
                                  "or an evaluation's --out folder, manifest.json or report.html")
    p.add_argument("--out-dir", help="attack: write the replay's four files here; "
                                     "evaluation: keep the replay's records here")
    p.add_argument("--limit", type=count(), metavar="N",
                   help="evaluation: replay the first N images only (rounded up to whole batches)")
    p.add_argument("--json", action="store_true", help="print the replayed result as JSON")


def cmd_replay(args) -> int:
    from inspector.core.errors import ParameterError
    from inspector.core.replay import AttackSource, read_source, replay_attack, replay_evaluation

    source = read_source(args.source)
    if isinstance(source, AttackSource):
        if args.limit is not None:
            raise ParameterError("--limit applies to an evaluation, not to one attack run")
        replay = replay_attack(source)
        if args.out_dir:
            replay.inspection.save(args.out_dir)
        summary = replay.inspection.to_dict()
        what = (f"{source.recipe.attack} on {summary['recipe']['image']} with {summary['model']['name']} "
                f"({summary['model']['device']}, {summary['recipe']['threads']} CPU thread(s)): "
                f"{summary['original']['label']['name']} -> {summary['adversarial']['label']['name']}")
    else:
        from inspector.evaluate_command import print_result

        replay = replay_evaluation(source, limit=args.limit, out=args.out_dir)
        summary = replay.result.to_dict()
        what = f"evaluation of {source.config.model} on {source.config.data} ({replay.result.config.threads} " \
               "CPU thread(s))"
        if not args.json:
            print_result(replay.result)
    if args.json:
        from inspector.evaluate_command import _finite

        print(json.dumps(_finite(summary | {"replay": {"matched": replay.matched, "detail": replay.describe()}}),
                         indent=2))
    print(f"replayed {what}", file=sys.stderr if args.json else sys.stdout)
    if replay.matched is False:
        print(f"inspector: {replay.describe()}", file=sys.stderr)
        return EXIT_DIFFERS
    print(replay.describe(), file=sys.stderr if args.json else sys.stdout)
    return 0
