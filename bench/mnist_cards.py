"""Figures of the MNIST model cards: clean and robust accuracy on the 2,000 held-out digits.

    PYTHONPATH=. python bench/mnist_cards.py [--models mnist-standard ...] [--limit N] [--steps 20]

Robust accuracy under PGD, Linf eps 0.3 (76.5 grey levels), 20 steps of 0.025, random
start, with the cross-entropy loss and with the logit-margin loss (Carlini and
Wagner 2017), and under C&W when a ``cw`` attack is registered. Prints one
Markdown table row per model.
"""

from __future__ import annotations

import argparse
import time

import torch

from inspector.core.attacks import ATTACKS, make_attack
from inspector.core.datasets.mnist import mnist_split
from inspector.core.evaluate import robust_accuracy
from inspector.core.models import load_model

MODELS = ("mnist-standard", "mnist-pgd-at", "mnist-distilled")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--limit", type=int, help="use the first N held-out digits only")
    parser.add_argument("--steps", type=int, default=20, help="PGD iterations (default 20)")
    parser.add_argument("--eps", default="0.3")
    parser.add_argument("--step-size", default="0.025", help="PGD step in [0, 1] units (default 0.025)")
    parser.add_argument("--data", help="folder with the MNIST IDX files")
    args = parser.parse_args()
    torch.manual_seed(0)
    x, y = mnist_split(args.data)["held_out"]
    if args.limit:
        x, y = x[:args.limit], y[:args.limit]
    pgd = {"eps": args.eps, "step_size": args.step_size, "steps": args.steps, "random_start": True}
    attacks = {f"PGD-{loss}": make_attack("pgd", pgd | {"loss": loss}) for loss in ("ce", "margin")}
    if "cw" in ATTACKS:
        attacks["C&W"] = make_attack("cw")
    print(f"{len(y)} held-out digits (MNIST test set, last 2,000), Linf eps {args.eps}, "
          f"PGD {args.steps} steps of {args.step_size} with random start\n")
    print("| model | clean | " + " | ".join(attacks) + " | seconds |")
    print("|---|---|" + "---|" * len(attacks) + "---|")
    for name in args.models:
        model = load_model(name, "cpu")
        start = time.perf_counter()
        figures = [robust_accuracy(model, x, y)] + [robust_accuracy(model, x, y, a) for a in attacks.values()]
        cells = " | ".join(f"{f:.1%}" for f in figures)
        print(f"| {name} | {cells} | {time.perf_counter() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
