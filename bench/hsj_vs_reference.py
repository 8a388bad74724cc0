"""Our HopSkipJump against foolbox 3's and ART's at the same query budget, on the same images.

Each reference runs first for ``--steps`` iterations on a model that counts the
rows it is sent; its queries per image (rounded up) are then our
``max_queries``. Prints, per norm and reference: wall time of both and their
ratio (ours / reference), queries per image, success rate and the median
distance in the attack's norm (and L2) both sides. Ours is judged on the 8-bit
image it exports; the reference's float adversarials are also shown after the
export rule of tests/test_attacks_reference_hsj.py (scaled by the smallest of
1, 1.25, ..., 8 that stays adversarial once rounded).

    PYTHONPATH=. python bench/hsj_vs_reference.py [--data mnist|imagenet] [--images 10] [--steps 8]
        [--norms l2 linf] [--references foolbox art] [--threads 1]
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np
import torch

from inspector.core.attacks import make_attack
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.io.image import load_tensor, quantize
from inspector.core.models.loading import load_model

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
SCALES = (1, 1.25, 1.5, 2, 3, 4, 6, 8)


class Counted(torch.nn.Module):
    """The model, counting the images it is sent."""

    def __init__(self, model):
        super().__init__()
        self.model, self.rows = model, 0

    def forward(self, x):
        self.rows += x.shape[0]
        return self.model(x.float())


def images(data: str, model, count: int):
    if data == "mnist":
        x, y = mnist_split(DATA / "mnist")["held_out"]
        x, y = x[: 2 * count], y[: 2 * count]
    else:
        wnids = [line.split("\t")[1] for line in (DATA / "imagenet_classes.tsv").read_text().splitlines()]
        files = sorted((DATA / "imagenet-sample").glob("*.JPEG"))[: 3 * count]
        x = torch.cat([load_tensor(f, model.input_size) for f in files])
        y = torch.tensor([wnids.index(f.name.split("_")[0]) for f in files])
    with torch.no_grad():
        ok = model(x).argmax(1) == y
    return x[ok][:count], y[ok][:count]


def exported(model, x, x_adv, y):
    """The reference's float adversarials after the 8-bit export rule; x where no scale works."""
    out = x.clone()
    with torch.no_grad():
        for scale in reversed(SCALES):
            q = quantize(x + scale * (x_adv - x))
            out = torch.where((model(q).argmax(1) != y).view(-1, 1, 1, 1), q, out)
    return out


def run_foolbox(model, x, y, norm, steps):
    import foolbox as fb

    attack = fb.attacks.HopSkipJumpAttack(steps=steps, constraint=norm)
    _, adv, _ = attack(fb.PyTorchModel(model, bounds=(0, 1)), x, y, epsilons=None)
    return adv


def run_art(model, x, y, norm, steps):
    from art.attacks.evasion import HopSkipJump
    from art.estimators.classification import PyTorchClassifier

    clf = PyTorchClassifier(
        model,
        loss=torch.nn.CrossEntropyLoss(),
        input_shape=tuple(x.shape[1:]),
        nb_classes=model.model.num_classes,
        clip_values=(0.0, 1.0),
    )
    attack = HopSkipJump(clf, norm=2 if norm == "l2" else np.inf, max_iter=steps, verbose=False)
    return torch.from_numpy(attack.generate(x.numpy())).float()


REFERENCES = {"foolbox": run_foolbox, "art": run_art}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=("mnist", "imagenet"), default="mnist")
    parser.add_argument("--images", type=int, default=10)
    parser.add_argument("--steps", type=int, default=8, help="reference iterations; sets the query budget")
    parser.add_argument("--norms", nargs="+", default=["l2", "linf"])
    parser.add_argument("--references", nargs="+", default=["foolbox"], choices=tuple(REFERENCES))
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model = load_model("mnist-standard" if args.data == "mnist" else None, "cpu")
    x, y = images(args.data, model, args.images)
    counted = Counted(model).eval()
    print(
        f"{args.data}: {len(y)} correctly classified images, torch threads {torch.get_num_threads()}, "
        f"reference iterations {args.steps}"
    )
    for norm in args.norms:
        p = 2 if norm == "l2" else float("inf")
        for ref in args.references:
            counted.rows = 0
            start = time.perf_counter()
            theirs = REFERENCES[ref](counted, x, y, norm, args.steps)
            t_ref = time.perf_counter() - start
            budget = math.ceil(counted.rows / len(y))
            start = time.perf_counter()
            ours = make_attack("hopskipjump", {"norm": norm, "max_queries": budget}).run(model, x, y)
            t_ours = time.perf_counter() - start
            with torch.no_grad():
                ref_success = model(theirs).argmax(1) != y
            theirs_8bit = exported(model, x, theirs, y)

            def med(adv, q, keep):
                d = (adv - x).flatten(1)[keep]
                return float(d.norm(p=q, dim=1).median()) if keep.any() else float("nan")

            ref_8bit_ok = (theirs_8bit != x).flatten(1).any(1)
            print(
                f"{norm:4s} vs {ref:7s} ours {t_ours:7.2f} s  reference {t_ref:7.2f} s  ratio "
                f"{t_ours / t_ref:5.2f}  queries/image {int(ours.query_counts.max())} vs {budget}  "
                f"success {ours.success.float().mean():.2f} vs {ref_success.float().mean():.2f}  "
                f"median {norm} {med(ours.x_adv, p, ours.success):.4f} vs {med(theirs, p, ref_success):.4f} "
                f"(8-bit rule {med(theirs_8bit, p, ref_8bit_ok):.4f})  median l2 "
                f"{med(ours.x_adv, 2, ours.success):.3f} vs {med(theirs, 2, ref_success):.3f}"
            )


if __name__ == "__main__":
    main()
