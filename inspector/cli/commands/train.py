"""``inspector train METHOD``: train a shipped MNIST model from the data; the methods and their
flags come from :data:`~inspector.core.training.methods.TRAINING_METHODS`."""

from __future__ import annotations

import argparse

from inspector.cli.arguments import seed
from inspector.cli.params import add_param_arguments, describe, flag_errors, param_values
from inspector.cli.progress import ProgressLine
from inspector.core.training import TRAINING_METHODS

NAME = "train"
HELP = f"train a shipped MNIST model from the data ({', '.join(TRAINING_METHODS)})"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = describe(TRAINING_METHODS)
    p.add_argument("method", choices=tuple(TRAINING_METHODS))
    add_param_arguments(p, TRAINING_METHODS)
    p.add_argument("--data", help="folder with the MNIST test set's IDX files (default: the copy that ships)")
    p.add_argument("--out", help="folder for mnist-METHOD.safetensors (default resources/models)")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    p.add_argument("--seed", type=seed(), default=0)


def run(args) -> int:
    from inspector.core.training import train

    def show(p):
        if p.batch == p.batches or p.batch % 10 == 0:
            line.show(
                f"{p.stage} epoch {p.epoch}/{p.epochs} batch {p.batch}/{p.batches}  "
                f"loss {p.loss:.4f}  train accuracy {p.accuracy:.2%}"
            )
            if p.batch == p.batches:
                line.end()

    with ProgressLine() as line, flag_errors(TRAINING_METHODS):
        report = train(
            args.method,
            data=args.data,
            out_dir=args.out,
            params=param_values(args, TRAINING_METHODS),
            resume=args.resume,
            seed=args.seed,
            on_progress=show,
        )
    privacy = f", epsilon {report.epsilon:.2f}" if report.epsilon is not None else ""
    print(
        f"wrote {report.path}: held-out accuracy {report.held_out_accuracy:.2%} "
        f"({report.epochs} epochs, {report.seconds:.0f} s{privacy})"
    )
    return 0
