"""C&W's fast defaults against a search with ten times their steps and more than twice their values of c.

On real MNIST digits (the first ``--digits`` held-out ones mnist-standard gets right), runs C&W with
its defaults and with ``binary_search_steps=9, steps=1000``, and prints both sides' success, median
L2, gradients and time, and the ratio of the medians. The claim: the defaults do not weaken C&W, their
median L2 stays within ``BOUND`` (5 %) of the long search's (measured on the default 6 digits: 1.653 vs 1.625, 1.017 times).
Exits 1 when the bound is not met. The paper preset itself (9 x 10,000 steps) takes minutes per digit:
``bench/attack_defaults.py --only cw --preset paper``.

This was a test (tests/test_attacks_cw_defaults.py); as a comparison of two long runs it is a bench.

    OMP_NUM_THREADS=1 PYTHONPATH=. python bench/cw_defaults.py [--digits 6]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

from inspector.core.attacks import make_attack
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.models.loading import load_model
from inspector.core.util.metrics import perturbation_norms

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: The defaults' median L2 may be this much above the long search's.
BOUND = 1.05


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=6)
    args = parser.parse_args()
    model = load_model("mnist-standard", "cpu")
    x, y = mnist_split(DATA / "mnist")["held_out"]
    x, y = x[: 3 * args.digits + 3], y[: 3 * args.digits + 3]
    with torch.no_grad():
        ok = model(x).argmax(1) == y
    x, y = x[ok][: args.digits], y[ok][: args.digits]
    fast = make_attack("cw", {})
    medians = {}
    for name, attack in (
        ("defaults", fast),
        ("9 x 1000 steps", make_attack("cw", {"binary_search_steps": 9, "steps": 1000})),
    ):
        start = time.perf_counter()
        result = attack.run(model, x, y)
        seconds = time.perf_counter() - start
        medians[name] = torch.tensor(perturbation_norms(x, result.x_adv)["l2"]).median().item()
        print(
            f"{name:>15}: {int(result.success.sum())}/{len(y)} fooled, median L2 {medians[name]:.3f}, "
            f"{result.gradient_evaluations} gradients, {seconds:.1f} s"
        )
    print(f"planned cost of the defaults: {fast.planned_cost(tuple(x.shape[1:]))[0]} gradients")
    ratio = medians["defaults"] / medians["9 x 1000 steps"]
    print(f"defaults / long search: {ratio:.3f} (bound {BOUND})")
    return 0 if ratio <= BOUND else 1


if __name__ == "__main__":
    sys.exit(main())
