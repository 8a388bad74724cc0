"""Our AutoAttack "standard" against the reference code (fra31/auto-attack) and torchattacks' on the same models and images.

AutoAttack: Croce and Hein 2020, arXiv:2003.01690. For each model and its budget (Linf), on the
same balanced images (MNIST: the shipped held-out digits, the first of each class; GTSRB: the
first of each class of ../shared/data/gtsrb/test.npz, round-robin over the 43 classes), each
implementation runs AutoAttack "standard" (APGD-CE, APGD-T, FAB-T, Square 5,000) with seed 0.
Printed per line: robust accuracy with its Wilson 95 % interval, and CPU seconds per image
(process time, one torch thread: on a shared machine what a run takes on an idle core).
Pass: ours within the reference's interval or below it, and no slower.

The reference is not part of this project: fetch github:fra31/auto-attack (the code is read from
``$AUTOATTACK_SRC``, default /work/.mirror/fra31+auto-attack/src, a folder holding its
``autoattack`` package). torchattacks 3.5.1 is imported as installed (``pip install --no-deps
torchattacks``: its code does not import torchvision, though its package metadata requires it),
else from ``$TORCHATTACKS_SRC`` (default /work/.mirror/torchattacks). A missing one is skipped
with a line saying so.

Ours is judged on its exported 8-bit images; a Linf budget of 0.3 is then 76 grey levels
(0.298), the references use 0.3 itself.

    nice -n 15 env OMP_NUM_THREADS=1 PYTHONPATH=. python bench/autoattack_reference.py [--n 100]
        [--models mnist-pgd-at:0.3,gtsrb-pgd-at:8/255] [--only ours,fra31,torchattacks]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import torch

from inspector.core.attacks import make_attack
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.io.datasets.gtsrb import load_npz
from inspector.core.io.datasets.mnist import heldout_digits
from inspector.core.models.loading import load_model
from inspector.core.util.params import parse_number

GTSRB = Path(__file__).resolve().parents[2] / "shared" / "data" / "gtsrb" / "test.npz"
AUTOATTACK_SRC = os.environ.get("AUTOATTACK_SRC", "/work/.mirror/fra31+auto-attack/src")
TORCHATTACKS_SRC = os.environ.get("TORCHATTACKS_SRC", "/work/.mirror/torchattacks")


def balanced(x: torch.Tensor, y: torch.Tensor, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``n`` images taken round-robin over the classes, in order of appearance within each."""
    per_class = [(y == c).nonzero().squeeze(1).tolist() for c in range(int(y.max()) + 1)]
    chosen, depth = [], 0
    while len(chosen) < n and any(depth < len(p) for p in per_class):
        chosen += [p[depth] for p in per_class if depth < len(p)][: n - len(chosen)]
        depth += 1
    index = torch.tensor(chosen)
    return x[index], y[index]


def images(model_name: str, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    return balanced(*(heldout_digits() if model_name.startswith("mnist") else load_npz(GTSRB)), n)


def ours(model, x, y, eps):
    return make_attack("autoattack", {"eps": eps, "seed": 0}).run(model, x, y).x_adv


def fra31(model, x, y, eps):
    sys.path.insert(0, AUTOATTACK_SRC)
    from autoattack import AutoAttack

    attack = AutoAttack(model, norm="Linf", eps=eps, version="standard", device="cpu", seed=0, verbose=False)
    return attack.run_standard_evaluation(x, y, bs=len(y))


def torchattacks_aa(model, x, y, eps):
    try:
        import torchattacks
    except ImportError:
        sys.path.insert(0, TORCHATTACKS_SRC)
        import torchattacks

    attack = torchattacks.AutoAttack(
        model, norm="Linf", eps=eps, version="standard", n_classes=model.num_classes, seed=0
    )
    return attack(x, y)


IMPLEMENTATIONS = {"ours": ours, "fra31": fra31, "torchattacks": torchattacks_aa}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100, help="balanced images per model")
    parser.add_argument("--models", default="mnist-pgd-at:0.3,gtsrb-pgd-at:8/255")
    parser.add_argument("--only", default=",".join(IMPLEMENTATIONS))
    args = parser.parse_args()
    torch.set_num_threads(1)
    print("| model | eps | implementation | robust accuracy (95 % CI) | CPU s / image |")
    print("| --- | --- | --- | --- | --- |")
    for spec in args.models.split(","):
        name, eps_text = spec.split(":")
        eps = parse_number(eps_text)
        model = load_model(name, "cpu").eval()
        x, y = images(name, args.n)
        for label in args.only.split(","):
            start = time.process_time()
            try:
                x_adv = IMPLEMENTATIONS[label](model, x.clone(), y.clone(), eps)
            except ImportError as exc:
                print(f"| {name} | {eps_text} | {label} | not run: {exc} | |")
                continue
            seconds = (time.process_time() - start) / len(y)
            with torch.no_grad():
                linf = float((x_adv - x).abs().max())
                robust = int((model(x_adv).argmax(1) == y).sum())
            low, high = wilson_interval(robust, len(y))
            print(
                f"| {name} | {eps_text} | {label} | {robust}/{len(y)} = {robust / len(y):.1%} "
                f"({low:.1%}-{high:.1%}) | {seconds:.2f} |",
                flush=True,
            )
            assert linf <= eps + 1e-6, f"{label} left the budget: Linf {linf}"


if __name__ == "__main__":
    main()
