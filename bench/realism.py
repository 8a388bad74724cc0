"""The realism check (local contrast) against PGD made without it and PGD that adds its statistic as a
penalty, on digits and road signs.

For each dataset, statistic (total variation, largest neighbour difference) and budget: the threshold
is calibrated at a false positive rate of 5 % on clean images (digits: the 400 shipped calibration
digits; road signs: 400 GTSRB training images, none of them tested); on N test images the model reads
correctly it prints the rate of clean images flagged (the measured false positive rate), and for
PGD (Linf, 40 steps of eps/10, random start; small steps let the adaptive one settle under the
threshold) made without the check (non-adaptive) and with its statistic as a penalty (adaptive,
:class:`~inspector.core.defenses.penalty.Penalized`) the rate of adversarials that fool the model, that the check flags, and that do both of the attacker's jobs
(fool the model, unflagged), with 95 % Wilson intervals.

    PYTHONPATH=. nice -n 15 python bench/realism.py [--images 100] [--steps 40] [--dataset digits] [--statistic tv]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from inspector.core.attacks import make_attack
from inspector.core.defenses import make_detector
from inspector.core.defenses.penalty import Penalized
from inspector.core.defenses.realism import STATISTICS
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.evasion.calibration import calibration_images
from inspector.core.io.datasets.gtsrb import load_npz
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.models.loading import load_model
from inspector.core.util.params import parse_number

SETTINGS = {"digits": ("mnist-standard", ("0.3",)), "road signs": ("gtsrb-standard", ("8/255", "16/255"))}


def images(dataset: str, data: Path, model, count: int):
    """(clean calibration images, test images the model reads correctly, their labels); seeded draws."""
    generator = torch.Generator().manual_seed(0)
    if dataset == "digits":
        x, y = mnist_split(data / "mnist")["held_out"]
        clean = calibration_images(model)
    else:
        x, y = load_npz(data / "gtsrb" / "test.npz")
        train, _ = load_npz(data / "gtsrb" / "train.npz")
        clean = train[torch.randperm(len(train), generator=generator)[:400]]
    pick = torch.randperm(len(y), generator=generator)[: count * 2]
    x, y = x[pick], y[pick]
    with torch.no_grad():
        right = model(x).argmax(1) == y
    return clean, x[right][:count], y[right][:count]


def rate(k: int, n: int) -> str:
    low, high = wilson_interval(k, n)
    return f"{k / n:6.1%} [{low:5.1%}, {high:5.1%}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("--dataset", choices=tuple(SETTINGS), action="append", help="default: both")
    parser.add_argument("--statistic", choices=STATISTICS, action="append", help="default: both")
    args = parser.parse_args()
    for dataset in args.dataset or SETTINGS:
        name, budgets = SETTINGS[dataset]
        model = load_model(name, "cpu")
        clean, x, y = images(dataset, Path(args.data), model, args.images)
        n = len(y)
        for statistic in args.statistic or STATISTICS:
            check = make_detector("realism", {"statistic": statistic, "fpr": "0.05"})
            threshold = check.calibrate(model, clean)
            flagged_clean = int((check.score(model, x) > threshold).sum())
            print(
                f"\n{dataset}, {name}, realism:statistic={statistic}: threshold {threshold:.4f} from {len(clean)} clean"
            )
            print(f"  clean test images flagged (fpr 0.05 asked) {rate(flagged_clean, n)}   on {n} images")
            print(f"  {'PGD':26s} {'fools the model':24s} {'flagged':24s} {'fools and unflagged':24s}")
            for eps in budgets:
                start = time.perf_counter()
                pgd = make_attack("pgd", {"eps": eps, "steps": args.steps, "step_size": parse_number(eps) / 10})
                guarded = Penalized(model, check.differentiable_score, threshold, label=y)
                for mode, target in (("non-adaptive", model), ("adaptive", guarded)):
                    x_adv = pgd.run(target, x, y).x_adv
                    with torch.no_grad():
                        fooled = model(x_adv).argmax(1) != y
                    flagged = check.score(model, x_adv) > threshold
                    cells = [rate(int(v.sum()), n) for v in (fooled, flagged, fooled & ~flagged)]
                    print(f"  {mode + ' eps ' + eps:26s} {'  '.join(cells)}")
                print(f"  ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
