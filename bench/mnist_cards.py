"""Figures of the MNIST model cards: clean and robust accuracy on the 2,000 held-out digits.

    PYTHONPATH=. python bench/mnist_cards.py [--models mnist-standard ...] [--limit N] [--steps 20]

Robust accuracy under PGD, Linf eps 0.3 (76.5 grey levels), 20 steps of 0.025, random
start, with the cross-entropy loss and with the logit-margin loss (Carlini and
Wagner 2017); and under C&W L2 (minimal norm), on the first 500 of those digits (C&W
costs hundreds of gradient steps per digit): robust accuracy at L2 <= 2.0 and the
median L2 of the digits it fools. Prints one Markdown table row per model.
"""

from __future__ import annotations

import argparse
import time

import torch

from inspector.core.attacks import make_attack
from inspector.core.evaluation.accuracy import minimal_norm_robustness, robust_accuracy
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.models.loading import load_model

MODELS = ("mnist-standard", "mnist-pgd-at", "mnist-distilled")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS))
    parser.add_argument("--limit", type=int, help="use the first N held-out digits only")
    parser.add_argument("--steps", type=int, default=20, help="PGD iterations (default 20)")
    parser.add_argument("--eps", default="0.3")
    parser.add_argument("--step-size", default="0.025", help="PGD step in [0, 1] units (default 0.025)")
    parser.add_argument("--l2-eps", type=float, default=2.0, help="L2 budget for the C&W column (default 2.0)")
    parser.add_argument("--cw-digits", type=int, default=500, help="digits for the C&W columns (default 500)")
    parser.add_argument("--cw-search", type=int, default=5, help="C&W binary search steps (default 5)")
    parser.add_argument("--cw-steps", type=int, default=100, help="C&W Adam steps per search step (default 100)")
    parser.add_argument(
        "--cw-lr",
        type=float,
        default=0.1,
        help="C&W Adam learning rate (default 0.1: the paper's 0.01 needs thousands of steps)",
    )
    parser.add_argument("--data", help="folder with the MNIST IDX files")
    args = parser.parse_args()
    torch.manual_seed(0)
    x, y = mnist_split(args.data)["held_out"]
    if args.limit:
        x, y = x[: args.limit], y[: args.limit]
    pgd = {"eps": args.eps, "step_size": args.step_size, "steps": args.steps, "random_start": True}
    attacks = {f"PGD-{loss}": make_attack("pgd", pgd | {"loss": loss}) for loss in ("ce", "margin")}
    cw = make_attack(
        "cw",
        {
            "binary_search_steps": args.cw_search,
            "steps": args.cw_steps,
            "initial_const": 0.1,
            "learning_rate": args.cw_lr,
        },
    )
    print(
        f"{len(y)} held-out digits (MNIST test set, last 2,000), Linf eps {args.eps}, "
        f"PGD {args.steps} steps of {args.step_size} with random start; C&W L2 on the first {args.cw_digits}: "
        f"{args.cw_search} x {args.cw_steps} steps of lr {args.cw_lr:g}, c from 0.1, robust at L2 <= {args.l2_eps:g}\n"
    )
    print("| model | clean | " + " | ".join(attacks) + f" | C&W, L2 <= {args.l2_eps:g} | C&W median L2 | seconds |")
    print("|---|---|" + "---|" * len(attacks) + "---|---|---|")
    for name in args.models:
        model = load_model(name, "cpu")
        start = time.perf_counter()
        figures = [robust_accuracy(model, x, y)] + [robust_accuracy(model, x, y, a) for a in attacks.values()]
        cw_robust, cw_l2 = minimal_norm_robustness(model, x[: args.cw_digits], y[: args.cw_digits], cw, args.l2_eps)
        cells = " | ".join(f"{f:.1%}" for f in figures + [cw_robust])
        print(f"| {name} | {cells} | {cw_l2:.2f} | {time.perf_counter() - start:.0f} |", flush=True)


if __name__ == "__main__":
    main()
