"""The road-sign models' cards: clean accuracy on GTSRB's test set and robust accuracy at Linf 8/255.

Clean: every image of test.npz (11,367), with a Wilson 95 % interval. Robust: a balanced subset
(the first --per-class images of each of the 43 classes), per-image worst case of APGD-CE and
APGD-DLR (Croce and Hein 2020, 100 iterations each) with Square (Andriushchenko et al. 2020) on
what survives as the black-box sanity check; a Square success where both APGDs failed is
printed, since it would mean gradient masking.

    OMP_NUM_THREADS=2 PYTHONPATH=. python bench/gtsrb_models.py [--per-class 20] [--models gtsrb-standard,gtsrb-pgd-at]

A model may also be an architecture with weights, ``gtsrb-cnn@PATH.safetensors`` (a candidate
from ``bench/train_gtsrb.py``, before it ships).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from inspector.core.attacks import make_attack
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.io.datasets.gtsrb import load_npz
from inspector.core.models.loading import load_model

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gtsrb"
EPS = "8/255"


def balanced(y: torch.Tensor, per_class: int) -> torch.Tensor:
    """Indices of the first ``per_class`` images of each class, in class order."""
    return torch.cat([(y == c).nonzero().squeeze(1)[:per_class] for c in range(43)])


def predict(model, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([model(x[i : i + 512]).argmax(1) for i in range(0, len(x), 512)])


def survivors(model, attack, x: torch.Tensor, y: torch.Tensor, alive: torch.Tensor) -> torch.Tensor:
    """``alive`` with every image ``attack`` fools set False (batches of 128)."""
    alive = alive.clone()
    index = alive.nonzero().squeeze(1)
    for start in range(0, len(index), 128):
        i = index[start : start + 128]
        alive[i[attack.run(model, x[i], y[i]).success]] = False
    return alive


def ci(hits: int, n: int) -> str:
    low, high = wilson_interval(hits, n)
    return f"{hits}/{n} = {hits / n:.1%} (95 % CI {low:.1%}-{high:.1%})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=20)
    parser.add_argument("--models", default="gtsrb-standard,gtsrb-pgd-at")
    parser.add_argument("--square-queries", type=int, default=1000)
    args = parser.parse_args()
    x, y = load_npz(DATA / "test.npz")
    subset = balanced(y, args.per_class)
    xs, ys = x[subset], y[subset]
    attacks = {
        "APGD-CE": make_attack("apgd", {"eps": EPS, "loss": "ce"}),
        "APGD-DLR": make_attack("apgd", {"eps": EPS, "loss": "dlr"}),
        "Square": make_attack("square", {"eps": EPS, "max_queries": args.square_queries}),
    }
    for name in args.models.split(","):
        arch, _, weights = name.partition("@")
        model = load_model(arch, "cpu", weights=weights or None)
        start = time.perf_counter()
        correct = predict(model, x) == y
        print(
            f"{name}: clean accuracy on test.npz {ci(int(correct.sum()), len(y))} ({time.perf_counter() - start:.0f} s)"
        )
        alive = predict(model, xs) == ys
        print(f"  balanced subset ({args.per_class} per class): clean {ci(int(alive.sum()), len(ys))}")
        for attack_name, attack in attacks.items():
            start = time.perf_counter()
            before = alive
            alive = survivors(model, attack, xs, ys, alive)
            note = (
                f"; {int((before & ~alive).sum())} fooled only by Square: gradient masking"
                if attack_name == "Square" and (before & ~alive).any()
                else ""
            )
            print(
                f"  after {attack_name:8s} robust {ci(int(alive.sum()), len(ys))} ({time.perf_counter() - start:.0f} s){note}"
            )


if __name__ == "__main__":
    main()
