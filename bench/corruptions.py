"""mCE of the road-sign models under the 15 common corruptions (Hendrycks and Dietterich 2019,
arXiv:1903.12261), against a named baseline model, on a balanced subset of GTSRB's test set.

The subset is the first --per-class images of each of the 43 classes. Every model sees the same
corrupted images (one seed per corruption and batch, the same at every severity). Printed: clean
accuracy (Wilson 95 % interval), mean corruption accuracy (normal 95 % interval over images), CE
and relative CE per corruption (errors over severities 1-5, all or only those added to the clean
ones, divided by the baseline's), mCE and relative mCE with paired-bootstrap 95 % intervals, as
Markdown tables for the README.

    OMP_NUM_THREADS=1 PYTHONPATH=. python bench/corruptions.py [--per-class 10] [--baseline gtsrb-standard] [--models gtsrb-standard,gtsrb-pgd-at]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from inspector.core.corruptions.benchmark import corruption_errors, run_corruptions
from inspector.core.corruptions.registry import CORRUPTIONS
from inspector.core.corruptions.report import interval, percent
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.io.datasets.gtsrb import load_npz
from inspector.core.models.loading import load_model

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gtsrb"


def balanced(y: torch.Tensor, per_class: int) -> torch.Tensor:
    """Indices of the first ``per_class`` images of each class, in class order."""
    return torch.cat([(y == c).nonzero().squeeze(1)[:per_class] for c in range(43)])


def mean_interval(per_image: torch.Tensor) -> str:
    """The mean of per-image shares with a normal 95 % interval over images (the cells of one image are not independent)."""
    mean, half = float(per_image.mean()), 1.96 * float(per_image.std()) / len(per_image) ** 0.5
    return f"{mean:.1%} [{mean - half:.1%}, {mean + half:.1%}]"


def rate(hits: int, n: int) -> str:
    low, high = wilson_interval(hits, n)
    return f"{hits / n:.1%} [{low:.1%}, {high:.1%}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=10)
    parser.add_argument("--baseline", default="gtsrb-standard")
    parser.add_argument("--models", default="gtsrb-standard,gtsrb-pgd-at")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    x, y = load_npz(DATA / "test.npz")
    subset = balanced(y, args.per_class)
    xs, ys = x[subset], y[subset]
    names = list(dict.fromkeys([args.baseline, *args.models.split(",")]))
    runs = {}
    for name in names:
        start = time.perf_counter()
        runs[name] = run_corruptions(load_model(name, "cpu"), name, xs, ys, seed=args.seed)
        print(f"{name}: {len(ys)} images x 15 corruptions x 5 severities in {time.perf_counter() - start:.0f} s")
    errors = {name: corruption_errors(runs[name], runs[args.baseline]) for name in names}
    n = len(ys)
    print(f"\nbalanced GTSRB test subset: {args.per_class} per class, {n} images; baseline {args.baseline}\n")
    print("| model | clean accuracy | corruption accuracy | mCE (95 % CI) | relative mCE (95 % CI) |")
    print("| --- | --- | --- | --- | --- |")
    for name in names:
        run = runs[name]
        clean_hits = int((run.clean == run.labels).sum())
        e = errors[name]
        print(
            f"| {name} | {rate(clean_hits, n)} | {mean_interval(run.correct().float().mean((1, 2)))} "
            f"| {percent(e.mce)} [{interval(e.mce_95)}] | {percent(e.relative_mce)} [{interval(e.relative_mce_95)}] |"
        )
    print("\n| corruption | " + " | ".join(f"{name} accuracy (1-5) | CE | rel. CE" for name in names) + " |")
    print("| --- |" + " --- | --- | --- |" * len(names))
    for k, corruption in enumerate(CORRUPTIONS):
        cells = []
        for name in names:
            acc = runs[name].accuracy()[k]
            e = errors[name]
            cells.append(
                " ".join(f"{100 * a:.0f}" for a in acc.tolist())
                + f" | {percent(e.ce[corruption])} | {percent(e.relative_ce[corruption])}"
            )
        print(f"| {corruption} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
