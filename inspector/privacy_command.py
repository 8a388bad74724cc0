"""``inspector steal`` and ``inspector invert``: the privacy attacks on the command line.

``steal`` extracts a copy of an MNIST model through the query oracle at each
budget (:mod:`inspector.core.privacy.stealing`); Ctrl-C stops it after the
step in progress, keeps the finished budgets in ``--out`` and exits 130 saying
how to continue. ``invert`` reconstructs each class of a model with MI-Face
and scores the reconstructions (:mod:`inspector.core.privacy.inversion_run`).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys

from inspector.arguments import count, real, seed
from inspector.core.util.bounds import MAX_EPOCHS
from inspector.core.util.errors import ParameterError
from inspector.progress import ProgressLine

EXIT_STOPPED = 130


def add_steal_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--victim", default="mnist-standard", help="the model to steal: an MNIST model (default "
                   "mnist-standard) or a 28x28 grey model file")
    p.add_argument("--budget", default="250,1000,2000,5000", help="query budgets, comma-separated (nested: "
                   "the run makes as many queries as the largest)")
    p.add_argument("--method", default="knockoff-random", choices=("copycat", "knockoff-random", "knockoff-adaptive"))
    p.add_argument("--labels-only", action="store_true", help="the oracle returns the top-1 label only")
    p.add_argument("--pool", default="members", help="query pool: members (the 8,000 training digits "
                   "without labels), transformed (the same, randomly rotated, scaled, shifted) or an IDX file")
    p.add_argument("--epochs", type=count(1, MAX_EPOCHS), help="training epochs at each budget (default: about 6,000 images)")
    p.add_argument("--transfer-eps", type=real(0, 1), default=0.3, help="Linf eps of the PGD transfer attack made on the copy "
                   "(0: skip it)")
    p.add_argument("--seed", type=seed(), default=0)
    p.add_argument("--out", help="folder for copy-BUDGET.pt2, steal.json and curve.png")
    p.add_argument("--resume", action="store_true", help="continue the run in --out")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def add_invert_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="mnist-standard", help="the model to invert (default mnist-standard)")
    p.add_argument("--max-iterations", type=count(), default=1000, help="MI-Face alpha (default 1000)")
    p.add_argument("--patience", type=count(), default=100, help="MI-Face beta: stop after no improvement "
                   "over this many steps (default 100)")
    p.add_argument("--step-size", type=real(above=0), default=0.1, help="MI-Face lambda (default 0.1)")
    p.add_argument("--judge", action="append", help="a model that scores the reconstructions (repeatable; "
                   "default: the other shipped MNIST models)")
    p.add_argument("--out", help="folder for inversion.png and inversion.json")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _pct(r: dict | None) -> str:
    return "-" if r is None else f"{r['rate']:6.1%} [{r['low']:.1%}, {r['high']:.1%}]"


def cmd_steal(args) -> int:
    from inspector.core.util.params import parse_number
    from inspector.core.privacy.stealing import StealConfig, parse_budgets, steal

    if args.resume and not args.out:
        raise ParameterError("--resume needs --out DIR, the folder of the run to continue")
    config = StealConfig(victim=args.victim, method=args.method, budgets=parse_budgets(args.budget),
                         output="label" if args.labels_only else "probabilities", pool=args.pool,
                         epochs=args.epochs, transfer_eps=parse_number(args.transfer_eps), seed=args.seed)
    stop = {"asked": False}
    line = ProgressLine()

    def on_interrupt(signum, frame):
        stop["asked"] = True
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C ends at once

    def show(p):
        epoch = f" epoch {p.epoch}/{p.epochs}" if p.epochs else ""
        line.show(f"budget {p.budget} ({p.budget_index + 1}/{p.budgets}): {p.stage}{epoch}, {p.queries} queries")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        result = steal(config, out=args.out, resume=args.resume, on_progress=show, should_stop=lambda: stop["asked"])
    finally:
        signal.signal(signal.SIGINT, previous)
        line.end()
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(f"victim {config.victim} ({result.victim_accuracy:.1%} held-out accuracy), {config.method}, "
              f"{'labels only' if config.output == 'label' else 'probabilities'}, pool {config.pool}")
        print(f"{'queries':>8s}  {'agreement [95% CI]':26s}  {'accuracy [95% CI]':26s}  "
              f"{'PGD transfer [95% CI]':26s}  {'time':>6s}  model")
        for row in result.rows:
            print(f"{row['budget']:8d}  {_pct(row['agreement']):26s}  {_pct(row['accuracy']):26s}  "
                  f"{_pct(row['transfer']):26s}  {row['seconds']:5.0f}s  {row['model'] or '-'}")
    if not result.finished:
        where = (f"the finished budgets and the queries made are in {args.out}; run the same command with --resume "
                 "to continue") if args.out else "nothing was saved (no --out DIR)"
        print(f"inspector: stopped: {where}", file=sys.stderr)
        return EXIT_STOPPED
    if args.out:
        print(f"saved to {args.out}")
    return 0


def check_invert_outputs(out: str | None) -> None:
    """Before any work: ``--out`` can be written and its inversion.png and inversion.json are not
    symbolic links, hard links or anything but regular files. Creates nothing. Raises ExportError."""
    from inspector.core.io.out_folder import check_folder
    from inspector.core.privacy.inversion_run import GRID, RESULT

    if out:
        check_folder(out, (GRID, RESULT))


def cmd_invert(args) -> int:
    from inspector.core.privacy.inversion import MIFace
    from inspector.core.privacy.inversion_run import InversionConfig, invert_model

    config = InversionConfig(model=args.model, judges=args.judge,
                             attack=MIFace(step_size=args.step_size, max_iterations=args.max_iterations,
                                           patience=args.patience))
    check_invert_outputs(args.out)
    report = invert_model(config)
    if args.out:
        report.save(args.out)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2))
        return 0
    s = report.summary
    print(f"MI-Face on {config.model}: {report.seconds:.0f} s")
    print(f"{'class':>5s} {'p(class)':>9s} {'top-1':>6s} {'iterations':>10s} {'SSIM to mean':>13s} "
          f"{'closest mean':>12s}  judges")
    for row in report.rows:
        judges = " ".join(f"{name}:{pred}" for name, pred in row["judges"].items())
        print(f"{row['class']:5d} {row['probability']:9.3f} {row['top1']:6d} {row['iterations']:10d} "
              f"{row['ssim']:13.3f} {row['closest_mean']:12d}  {judges}")
    print(f"the model sees its class in {_pct(s['self'])}")
    for name, r in s["judges"].items():
        print(f"{name} sees the class in {_pct(r)}")
    print(f"closest to its own class mean: {_pct(s['closest_to_own_mean'])}; mean SSIM {s['ssim_mean']:.3f} "
          f"(grey start {s['ssim_grey_start']:.3f})")
    if args.out:
        print(f"saved to {args.out}")
    return 0
