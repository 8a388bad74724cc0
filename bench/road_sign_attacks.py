"""The seed articles' attacks on the road-sign models, and the targeted "stop -> speed limit 120" case.

Images: a balanced subset of GTSRB's test.npz (the first --per-class images of each of the 43
classes), those the model classifies correctly. For each attack: the success rate with its
Wilson 95 % interval, the median L2 (in [0, 1] pixel units) and Linf (in grey levels) of the
successful perturbations, and the time per image on this machine. Budgeted attacks run at
Linf 8/255; the minimal-norm ones (L-BFGS, JSMA, DeepFool, C&W, HopSkipJump) with their defaults.
Then PGD targeted at "speed limit 120" on every stop sign of the test set.

    OMP_NUM_THREADS=2 PYTHONPATH=. python bench/road_sign_attacks.py [--per-class 2]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from inspector.core.attacks import make_attack
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.io.datasets.gtsrb import load_npz
from inspector.core.models.loading import load_model
from inspector.core.models.zoo.gtsrb_cnn import CLASS_NAMES
from inspector.core.util.metrics import perturbation_norms

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gtsrb"
STOP, SPEED_LIMIT_120 = CLASS_NAMES.index("stop"), CLASS_NAMES.index("speed limit 120")
ATTACKS = {
    "L-BFGS": ("lbfgs", {}),
    "FGSM": ("fgsm", {"eps": "8/255"}),
    "JSMA": ("jsma", {}),
    "DeepFool": ("deepfool", {}),
    "PGD": ("pgd", {"eps": "8/255", "step_size": "2/255", "steps": 20}),
    "C&W L2": ("cw", {}),
    "Square": ("square", {"eps": "8/255", "max_queries": 1000}),
    "HopSkipJump": ("hopskipjump", {}),
}


def ci(hits: int, n: int) -> str:
    low, high = wilson_interval(hits, n)
    return f"{hits:3d}/{n:<3d} {hits / n:6.1%} ({low:.0%}-{high:.0%})"


def run(model, attack, x, y, target=None):
    results = [
        attack.run(model, x[i : i + 32], y[i : i + 32], target=None if target is None else target[i : i + 32])
        for i in range(0, len(y), 32)
    ]
    return torch.cat([r.x_adv for r in results]), torch.cat([r.success for r in results])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=2)
    parser.add_argument("--models", default="gtsrb-standard,gtsrb-pgd-at")
    parser.add_argument("--attacks", default=",".join(ATTACKS))
    args = parser.parse_args()
    x, y = load_npz(DATA / "test.npz")
    subset = torch.cat([(y == c).nonzero().squeeze(1)[: args.per_class] for c in range(43)])
    stops = (y == STOP).nonzero().squeeze(1)
    for name in args.models.split(","):
        model = load_model(name, "cpu")
        with torch.no_grad():
            ok = model(x[subset]).argmax(1) == y[subset]
        xs, ys = x[subset][ok], y[subset][ok]
        print(f"\n{name}: {len(ys)} of {len(subset)} balanced test images classified correctly")
        print(f"{'attack':12s} {'success (95 % CI)':>26s} {'median L2':>10s} {'median Linf':>12s} {'s/image':>8s}")
        for label in args.attacks.split(","):
            attack_name, params = ATTACKS[label]
            attack = make_attack(attack_name, params)
            start = time.perf_counter()
            x_adv, success = run(model, attack, xs, ys)
            seconds = (time.perf_counter() - start) / len(ys)
            norms = perturbation_norms(xs[success], x_adv[success]) if success.any() else {"l2": [0], "linf_grey": [0]}
            print(
                f"{label:12s} {ci(int(success.sum()), len(ys)):>26s} {statistics.median(norms['l2']):10.3f} "
                f"{statistics.median(norms['linf_grey']):9.1f}/255 {seconds:8.2f}"
            )
        with torch.no_grad():
            stop_ok = model(x[stops]).argmax(1) == STOP
        xt = x[stops][stop_ok]
        attack = make_attack("pgd", {"eps": "8/255", "step_size": "2/255", "steps": 20})
        _, success = run(model, attack, xt, torch.full((len(xt),), STOP), torch.full((len(xt),), SPEED_LIMIT_120))
        print(
            f"targeted stop -> speed limit 120, PGD Linf 8/255: {ci(int(success.sum()), len(xt))} "
            f"of the {len(xt)} stop signs classified correctly ({len(stops)} in test.npz)"
        )


if __name__ == "__main__":
    main()
