"""``inspector train METHOD``: train a shipped MNIST model from the data (standard, pgd-at, distilled, dp)."""

from __future__ import annotations

import argparse

from inspector.cli.arguments import count, seed
from inspector.cli.progress import ProgressLine
from inspector.core.util.bounds import MAX_EPOCHS

NAME = "train"
HELP = "train a shipped MNIST model from the data (standard, pgd-at, distilled, dp)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("method", choices=("standard", "pgd-at", "distilled", "dp"))
    p.add_argument("--epochs", type=count(1, MAX_EPOCHS),
                   help="epochs (distilled: per network); default: the shipped model's")
    p.add_argument("--data", help="folder with the MNIST test set's IDX files (default: the copy that ships)")
    p.add_argument("--out", help="folder for mnist-METHOD.safetensors (default resources/models)")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoint in --out")
    p.add_argument("--seed", type=seed(), default=0)


def run(args) -> int:
    from inspector.core.training import train

    def show(p):
        if p.batch == p.batches or p.batch % 10 == 0:
            line.show(f"{p.stage} epoch {p.epoch}/{p.epochs} batch {p.batch}/{p.batches}  "
                      f"loss {p.loss:.4f}  train accuracy {p.accuracy:.2%}")
            if p.batch == p.batches:
                line.end()

    with ProgressLine() as line:
        report = train(args.method, data=args.data, out_dir=args.out, epochs=args.epochs, resume=args.resume,
                       seed=args.seed, on_progress=show)
    privacy = f", epsilon {report.epsilon:.2f}" if report.epsilon is not None else ""
    print(f"wrote {report.path}: held-out accuracy {report.held_out_accuracy:.2%} "
          f"({report.epochs} epochs, {report.seconds:.0f} s{privacy})")
    return 0
