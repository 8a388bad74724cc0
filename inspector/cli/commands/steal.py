"""``inspector steal``: model stealing, which extracts a copy of an MNIST model through the query
oracle at each budget (:mod:`inspector.core.privacy.stealing`).

Ctrl-C stops it after the step in progress, keeps the finished budgets in ``--out`` and exits 130
saying how to continue.
"""

from __future__ import annotations

import argparse

from inspector.cli._common import print_json, rate_ci, stop_on_interrupt, stopped
from inspector.cli.arguments import count, real, seed
from inspector.cli.params import describe, flag_errors
from inspector.cli.progress import ProgressLine
from inspector.core.privacy.stealing_methods import STEALING_METHODS
from inspector.core.util.bounds import MAX_EPOCHS
from inspector.core.util.errors import ParameterError

NAME = "steal"
HELP = "model stealing: query an MNIST model, train a copy, measure it per budget"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = describe(STEALING_METHODS)
    p.add_argument(
        "--victim",
        default="mnist-standard",
        help="the model to steal: an MNIST model (default mnist-standard) or a 28x28 grey model file",
    )
    p.add_argument(
        "--budget",
        default="250,1000,2000,5000",
        help="query budgets, comma-separated (nested: the run makes as many queries as the largest)",
    )
    p.add_argument("--method", default="knockoff-random", choices=tuple(STEALING_METHODS))
    p.add_argument("--labels-only", action="store_true", help="the oracle returns the top-1 label only")
    p.add_argument(
        "--pool",
        default="members",
        help="query pool: members (the 8,000 training digits "
        "without labels), transformed (the same, randomly rotated, scaled, shifted) or an IDX file",
    )
    p.add_argument(
        "--epochs", type=count(1, MAX_EPOCHS), help="training epochs at each budget (default: about 6,000 images)"
    )
    p.add_argument(
        "--transfer-eps",
        type=real(0, 1),
        default=0.3,
        help="Linf eps of the PGD transfer attack made on the copy (0: skip it)",
    )
    p.add_argument("--seed", type=seed(), default=0)
    p.add_argument("--out", help="folder for copy-BUDGET.pt2, steal.json and curve.png")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    from inspector.core.privacy.stealing import StealConfig, parse_budgets, steal
    from inspector.core.util.params import parse_number

    if args.resume and not args.out:
        raise ParameterError("--resume needs --out DIR, the folder of the run to continue")
    config = StealConfig(
        victim=args.victim,
        method=args.method,
        budgets=parse_budgets(args.budget),
        output="label" if args.labels_only else "probabilities",
        pool=args.pool,
        epochs=args.epochs,
        transfer_eps=parse_number(args.transfer_eps),
        seed=args.seed,
    )

    def show(p):
        epoch = f" epoch {p.epoch}/{p.epochs}" if p.epochs else ""
        line.show(f"budget {p.budget} ({p.budget_index + 1}/{p.budgets}): {p.stage}{epoch}, {p.queries} queries")

    with stop_on_interrupt() as should_stop, ProgressLine() as line, flag_errors(STEALING_METHODS, ("epochs", "seed")):
        result = steal(config, out=args.out, resume=args.resume, on_progress=show, should_stop=should_stop)
    if args.json:
        print_json(result.to_dict())
    else:
        print(
            f"victim {config.victim} ({result.victim_accuracy:.1%} held-out accuracy), {config.method}, "
            f"{'labels only' if config.output == 'label' else 'probabilities'}, pool {config.pool}"
        )
        print(
            f"{'queries':>8s}  {'agreement [95% CI]':26s}  {'accuracy [95% CI]':26s}  "
            f"{'PGD transfer [95% CI]':26s}  {'time':>6s}  model"
        )
        for row in result.rows:
            print(
                f"{row['budget']:8d}  {rate_ci(row['agreement']):26s}  {rate_ci(row['accuracy']):26s}  "
                f"{rate_ci(row['transfer']):26s}  {row['seconds']:5.0f}s  {row['model'] or '-'}"
            )
    if not result.finished:
        where = (
            (
                f"the finished budgets and the queries made are in {args.out}; run the same command with --resume "
                "to continue"
            )
            if args.out
            else "nothing was saved (no --out DIR)"
        )
        return stopped(f"stopped: {where}")
    if args.out:
        print(f"saved to {args.out}")
    return 0
