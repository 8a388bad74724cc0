"""``inspector harden [METHOD]``: adversarially fine-tune the user's model on labelled images and
write it with its sidecar and a before/after model card
(:func:`~inspector.core.training.hardening.harden`).

Every input is checked before training starts (exit 2, nothing written). Ctrl-C stops after the
batch in progress, keeps the last epoch's checkpoint in ``--out`` and exits 130 saying how to resume.
"""

from __future__ import annotations

import argparse
import time

from inspector.cli._common import print_json, stop_on_interrupt, stopped
from inspector.cli.arguments import count, seed
from inspector.cli.options import add_model_options
from inspector.cli.params import add_param_arguments, describe, flag_errors, param_values
from inspector.cli.progress import ProgressLine, eta
from inspector.core.training.methods import HARDENING_METHODS

NAME = "harden"
HELP = f"adversarially fine-tune your model on labelled images ({', '.join(HARDENING_METHODS)})"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.description = (
        "Train a copy of --model against Linf attacks and write METHOD's weights, sidecar and model card "
        "to --out. --eps is the threat budget (default 0.3 for grey digit models, 8/255 for RGB)."
    )
    p.epilog = describe(HARDENING_METHODS)
    p.add_argument("method", nargs="?", default="pgd-at", choices=tuple(HARDENING_METHODS), help="default pgd-at")
    add_model_options(p, trust_code=False)
    p.add_argument(
        "--data",
        required=True,
        help="labelled images: a folder (labels.csv, class subfolders, or GTSRB's layout) or mnist-train "
        "(the shipped MNIST training digits); the last tenth of each class is held out for validation",
    )
    add_param_arguments(p, HARDENING_METHODS)
    p.add_argument("--out", required=True, help="folder for the weights, sidecar, card and checkpoint")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    p.add_argument("--seed", type=seed(), default=0)
    p.add_argument(
        "--limit",
        type=count(),
        metavar="N",
        help="use the first N images of --data only (mnist-train: and a quarter as many held-out digits)",
    )
    p.add_argument("--device", help="auto (default: a GPU when there is one), cpu, cuda, cuda:N or mps")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    from inspector.core.training.hardening import harden

    params = param_values(args, HARDENING_METHODS)
    eps = params.pop("eps", None)
    started = time.perf_counter()

    def show(p) -> None:
        if p.batch == p.batches or p.batch % 5 == 0:
            done = ((p.epoch - 1) * p.batches + p.batch) / (p.epochs * p.batches)
            line.show(
                f"epoch {p.epoch}/{p.epochs} batch {p.batch}/{p.batches}  loss {p.loss:.4f}  "
                f"train accuracy {p.accuracy:.1%}  {eta(done, time.perf_counter() - started)}"
            )

    def scored(s) -> None:
        line.note(
            f"epoch {s.epoch}: train loss {s.loss:.4f}, validation clean {s.clean:.1%}, "
            f"robust {s.robust:.1%} (PGD-10), {s.seconds:.0f} s"
        )

    with (
        stop_on_interrupt() as should_stop,
        ProgressLine() as line,
        flag_errors(HARDENING_METHODS, also=("eps", "seed", "limit")),
    ):
        report = harden(
            args.model,
            args.method,
            data=args.data,
            weights=args.weights,
            out_dir=args.out,
            params=params,
            eps=eps,
            seed=args.seed,
            resume=args.resume,
            limit=args.limit,
            device=args.device,
            on_progress=show,
            on_epoch=scored,
            should_stop=should_stop,
        )
    if args.json:
        print_json(_as_json(report))
    if not report.finished:
        return stopped(
            f"stopped: the checkpoint of the last finished epoch, if any, is kept in {args.out}; "
            "run the same command with --resume to continue"
        )
    if not args.json:
        print(report.data)
        for before, after in zip(report.before, report.after, strict=True):
            what = "clean" if before.budget == 0 else f"robust at eps {before.budget:.4g} (PGD-{before.steps})"
            print(f"{what:>36}: {_ci(before)} -> {_ci(after)}")
        for note in report.notes:
            print(f"warning: {note}")
        print(f"wrote {report.weights}, its sidecar and the card {report.card} ({report.seconds:.0f} s)")
    return 0


def _ci(a) -> str:
    low, high = a.interval
    return f"{a.rate:6.1%} [{low:.1%}, {high:.1%}]"


def _as_json(report) -> dict:
    return {
        "name": report.name,
        "method": report.method,
        "architecture": report.architecture,
        "finished": report.finished,
        "weights": str(report.weights) if report.finished else None,
        "card": str(report.card) if report.finished else None,
        "eps": report.eps,
        "data": report.data,
        "epochs": report.epochs,
        "seconds": report.seconds,
        "before": [a.as_dict() for a in report.before],
        "after": [a.as_dict() for a in report.after],
        "scores": [vars(s) for s in report.scores],
        "notes": report.notes,
    }
