"""Ensembles as a defence (He et al. 2017, arXiv:1706.04701): the attack made on one member and
transferred, against the attack made on the whole ensemble, on digits, road signs and photos.

For each dataset and rule (mean of the probabilities, majority vote), on the first N test images
the ensemble reads correctly (a seeded draw): the clean accuracy of each member and of the
ensemble on all drawn images, then the rate at which PGD (Linf, 20 steps of eps/4, random start)
fools the ensemble when it is made on each member alone (non-adaptive, transferred) and when it
is made on the ensemble (adaptive; the vote through the mean probabilities), with 95 % Wilson
intervals, and how many members the adaptive adversarials fool.

    PYTHONPATH=. nice -n 15 python bench/ensembles.py [--images 100] [--steps 20] [--data ../shared/data]
        [--dataset digits|road signs|photos ...]

The photo members differ in input size (224, 240, 260): each sees the photo resized to its own
(:class:`~inspector.core.defenses.ensemble.Ensemble`); there are 100 sample photos.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from inspector.core.attacks import make_attack
from inspector.core.defenses.ensemble import Ensemble
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.io.datasets.gtsrb import load_npz
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.io.image import load_tensor
from inspector.core.models.loading import load_model
from inspector.core.util.params import parse_number

SETTINGS = {
    "digits": (("mnist-standard", "mnist-pgd-at", "mnist-distilled"), "0.3"),
    "road signs": (("gtsrb-standard", "gtsrb-pgd-at"), "8/255"),
    "photos": (("efficientnet-lite0", "efficientnet-lite1", "efficientnet-lite2"), "1/255"),
}


def test_images(dataset: str, data: Path, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` test images drawn with seed 0: held-out MNIST digits, GTSRB test signs, or the ImageNet
    sample photos at EfficientNet-Lite0's 224x224 (labelled by the WordNet id in their file names)."""
    if dataset == "photos":
        wnids = [line.split("\t")[1] for line in (data / "imagenet_classes.tsv").read_text().splitlines()]
        files = sorted((data / "imagenet-sample").glob("*.JPEG"))
        x = torch.cat([load_tensor(f, (224, 224)) for f in files])
        y = torch.tensor([wnids.index(f.name.split("_")[0]) for f in files])
    else:
        x, y = mnist_split(data / "mnist")["held_out"] if dataset == "digits" else load_npz(data / "gtsrb" / "test.npz")
    pick = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))[:count]
    return x[pick], y[pick]


def fooled(model, x_adv: torch.Tensor, y: torch.Tensor) -> int:
    with torch.no_grad():
        return int((model(x_adv).argmax(1) != y).sum())


def rate(k: int, n: int) -> str:
    low, high = wilson_interval(k, n)
    return f"{k / n:6.1%} [{low:5.1%}, {high:5.1%}]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    parser.add_argument("--dataset", choices=tuple(SETTINGS), action="append", help="default: all")
    args = parser.parse_args()
    for dataset in args.dataset or SETTINGS:
        names, eps = SETTINGS[dataset]
        members = [load_model(name, "cpu") for name in names]
        x, y = test_images(dataset, Path(args.data), args.images * 2)
        eps_value = parse_number(eps)
        pgd = make_attack("pgd", {"eps": eps, "steps": args.steps, "step_size": eps_value / 4})
        print(f"\n{dataset}: {' + '.join(names)}, PGD Linf eps {eps}, {args.steps} steps")
        with torch.no_grad():
            for m in members:
                print(f"  clean accuracy {m.name:18s} {rate(int((m(x).argmax(1) == y).sum()), len(y))}")
        for rule in ("mean", "vote"):
            start = time.perf_counter()
            ensemble = Ensemble(members, rule)
            with torch.no_grad():
                right = ensemble(x).argmax(1) == y
            print(f"  clean accuracy ensemble ({rule:4s})    {rate(int(right.sum()), len(y))}")
            xs, ys = x[right][: args.images], y[right][: args.images]
            n = len(ys)
            print(f"  ensemble ({rule}) fooled, on {n} images it reads correctly:")
            for m in members:
                print(f"    made on {m.name:18s} (transfer) {rate(fooled(ensemble, pgd.run(m, xs, ys).x_adv, ys), n)}")
            x_adv = pgd.run(ensemble, xs, ys).x_adv
            print(f"    made on the ensemble (adaptive)    {rate(fooled(ensemble, x_adv, ys), n)}")
            each = ", ".join(f"{m.name} {fooled(m, x_adv, ys) / n:.0%}" for m in members)
            print(f"    members the adaptive one fools: {each}   ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
