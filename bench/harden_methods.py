"""The hardening methods side by side on MNIST: FGSM augmentation resists FGSM and not PGD.

Fine-tunes ``mnist-standard`` with each of ``inspector harden``'s methods on the shipped training
digits, then prints a Markdown table of clean accuracy and accuracy under FGSM and under PGD-20
(random start, step eps/4) at Linf 0.1 and 0.3 on the first ``--test`` held-out digits (which no
model trained on), with Wilson 95 % intervals, for the standard model and each hardened one.
Hardened models already in ``--out`` are reused (their cards hold their training time).

    PYTHONPATH=. python bench/harden_methods.py [--limit 3000] [--epochs 3] [--test 1000] [--out DIR]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import torch

from inspector.core.attacks.fgsm import FGSM
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.io.datasets.mnist import heldout_digits
from inspector.core.models.loading import load_model
from inspector.core.training.hardening import harden
from inspector.core.training.hardening.scores import accuracy
from inspector.core.training.methods import HARDENING_METHODS


def cell(correct: int, total: int) -> str:
    low, high = wilson_interval(correct, total)
    return f"{correct / total:.1%} [{low:.1%}, {high:.1%}]"


def fgsm_correct(model, x, y, eps: float) -> int:
    correct = 0
    for start in range(0, len(y), 256):
        xb, yb = x[start : start + 256], y[start : start + 256]
        x_adv = FGSM(eps=eps).run(model, xb, yb).x_adv
        with torch.no_grad():
            correct += int((model(x_adv).argmax(1) == yb).sum())
    return correct


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=3000, help="training digits (of the 8,000 that ship)")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--test", type=int, default=1000, help="held-out digits attacked")
    parser.add_argument("--out", default=None, help="folder for the hardened models (default: a temporary one)")
    args = parser.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="harden-bench-")
    x, y = heldout_digits()
    x, y = x[: args.test], y[: args.test]
    models = {"mnist-standard (before)": load_model("mnist-standard", "cpu")}
    for method in HARDENING_METHODS:
        weights = Path(out) / f"mnist-standard-{method}.safetensors"
        if not weights.exists():  # a model already in --out is reused (its card has its figures and time)
            report = harden(
                "mnist-standard", method, data="mnist-train", out_dir=out, limit=args.limit, epochs=args.epochs
            )
            for note in report.notes:
                print(f"{method}: {note}", flush=True)
        models[method] = load_model("mnist-cnn", "cpu", weights=weights)
    budgets = (0.1, 0.3)
    head = " | ".join(f"FGSM {e:g} | PGD-20 {e:g}" for e in budgets)
    print(f"\n{args.epochs} epochs on {args.limit} digits; {len(y)} held-out digits\n")
    print(f"| model | clean | {head} |")
    print("|---" * (2 + 2 * len(budgets)) + "|")
    for name, model in models.items():
        cells = [cell(accuracy(model, x, y, 0.0).correct, len(y))]
        for eps in budgets:
            cells += [cell(fgsm_correct(model, x, y, eps), len(y)), cell(accuracy(model, x, y, eps).correct, len(y))]
        print(f"| {name} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
