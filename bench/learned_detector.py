"""The learned detector's generalisation table, and what the adaptive attack does to it, on digits and road signs.

For each set, trains a detector (Metzen et al. 2017, arXiv:1702.04267) on ``--train`` clean images
and their FGSM adversarials against the shipped standard model, calibrates its threshold at 5 %
FPR on held-out clean images, then prints its true positive rate with 95 % Wilson intervals on
``--test`` other held-out images: for FGSM (seen), PGD, C&W, DeepFool, Square and HopSkipJump
(unseen), and for PGD that also descends the detector's logit (Carlini and Wagner 2017,
arXiv:1705.07263; :mod:`inspector.core.learned_detector.adaptive`). "fooled" is the share of the
attacked images whose adversarial fools the model; the rate is over those. The adaptive row
and plain PGD's also give the share that fools the model and passes the detector (the attacker's real success).

    OMP_NUM_THREADS=1 nice -n 15 python bench/learned_detector.py [--sets digits,signs] [--train 2000] [--test 100]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from inspector.core.attacks import make_attack
from inspector.core.learned_detector.adaptive import DetectorAwarePGD
from inspector.core.learned_detector.data import load_detector_data
from inspector.core.learned_detector.rates import detection_rates
from inspector.core.learned_detector.suite import PGD_STEPS, default_eps, table_attacks
from inspector.core.learned_detector.train import train_detector
from inspector.core.models.loading import load_model
from inspector.core.util.units import linf_text

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = {"digits": ("mnist-standard", "mnist-train"), "signs": ("gtsrb-standard", str(DATA / "gtsrb" / "train.npz"))}


def table(name: str, args) -> None:
    model_name, source = SETS[name]
    model = load_model(model_name, "cpu")
    started = time.perf_counter()
    data = load_detector_data(source, model, limit=args.train, held_out=2 * args.test + 200, seed=0)
    data.x_test, data.y_test = data.x_test[: args.test], data.y_test[: args.test]
    eps = default_eps(model)
    trained = train_detector(model, data, make_attack("fgsm", {"eps": eps}), epochs=args.epochs)
    assert trained is not None
    net, threshold = trained.net, trained.info.threshold
    attacks = table_attacks(eps) | {"pgd (adaptive)": DetectorAwarePGD(net, threshold, eps, steps=PGD_STEPS)}
    rows = detection_rates(model, net, threshold, data.x_test, data.y_test, attacks, "fgsm")
    print(
        f"\n{name}: {model_name}, detector trained on FGSM {linf_text(eps)} ({data.description}), "
        f"threshold at 5 % FPR on {trained.info.calibration_images} held-out clean images; "
        f"{time.perf_counter() - started:.0f} s"
    )
    print(f"  {'attack':16s} {'seen':5s} {'fooled':>8s}  {'TPR (clean: FPR)':>16s}  95 % interval")
    for r in rows:
        low, high = r.interval
        fooled = "" if r.name == "clean" else f"{r.count}/{r.attacked}"
        print(f"  {r.name:16s} {'yes' if r.seen else '':5s} {fooled:>8s}  {r.rate:16.1%}  [{low:.1%}, {high:.1%}]")
    for r in rows[2:3] + rows[-1:]:  # plain PGD and the adaptive one
        print(f"  {r.name} fools the model and passes the detector on {r.count - r.flagged}/{r.attacked} images")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="digits,signs", help="comma-separated: digits, signs")
    parser.add_argument("--train", type=int, default=2000, help="clean training images (as many adversarials)")
    parser.add_argument("--test", type=int, default=100, help="held-out test images attacked by each attack")
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name in args.sets.split(","):
        table(name.strip(), args)


if __name__ == "__main__":
    main()
