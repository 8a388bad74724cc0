"""Our attacks against foolbox 3's and ART 1.20's at the same budget, on the same model and photos.

For each pair prints the wall time of ours and of the reference, their ratio
(ours / reference), the success rate both sides and the median L2 of the
successful adversarials both sides. Ours is judged on the 8-bit image it
exports; the reference on its own (float) output, plus its success once
rounded to 8 bits and, for minimal-norm attacks, the median L2 of its
perturbation after the export rule of tests/test_attacks_reference.py
(scaled by the smallest factor that keeps it adversarial once rounded; inf
where none does). Square: ART's max_iter counts candidates after the stripe
start, so max_iter = max_queries - 1 is the same budget of new points.
C&W runs without early abort on both sides, so both do the same number of
steps (foolbox's abort compares with the loss at the unperturbed start and
stops within a few steps per constant here). Attacks that draw random numbers
(APGD's start, Square) run once per seed with ``--seeds``; their figures
pool the runs and their times add up. Needs the ``reference`` extra.

    PYTHONPATH=. python bench/attacks_vs_reference.py [--images 4] [--device cpu] [--only apgd-ce,cw] [--seeds 3]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import foolbox as fb
import numpy as np
import torch
from art.attacks.evasion import AutoProjectedGradientDescent, MomentumIterativeMethod, SquareAttack
from art.estimators.classification import PyTorchClassifier

from inspector.core.attacks import make_attack
from inspector.core.image import load_tensor, quantize
from inspector.core.models import load_model

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def photos(model, count: int):
    wnids = [line.split("\t")[1] for line in (DATA / "imagenet_classes.tsv").read_text().splitlines()]
    files = sorted((DATA / "imagenet-sample").glob("*.JPEG"))[: 3 * count]
    x = torch.cat([load_tensor(f, model.input_size) for f in files]).to(model.device)
    y = torch.tensor([wnids.index(f.name.split("_")[0]) for f in files], device=model.device)
    with torch.no_grad():
        ok = model(x).argmax(1) == y
    return x[ok][:count], y[ok][:count]


def timed(fn):
    start = time.perf_counter()
    out = fn()
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return out, time.perf_counter() - start


@dataclass
class Wrappers:
    """The model as each reference library takes it."""

    foolbox: fb.PyTorchModel
    art: PyTorchClassifier


Reference = Callable[[Wrappers, torch.Tensor, torch.Tensor, int], torch.Tensor]  # (wrappers, x, y, seed)


def foolbox(attack, eps: float | None) -> Reference:
    """A (deterministic) foolbox attack at budget ``eps`` (None: minimal-norm), returning its clipped adversarials."""
    return lambda wrappers, x, y, seed: attack()(wrappers.foolbox, x, y, epsilons=eps)[1]


def art(attack) -> Reference:
    """An ART attack built on the classifier; ART draws from numpy's global generator, seeded here."""
    def run(wrappers, x, y, seed):
        np.random.seed(seed)
        return torch.from_numpy(attack(wrappers.art).generate(x.cpu().numpy(), y.cpu().numpy())).to(x.device)
    return run


@dataclass
class Pair:
    label: str
    attack: str
    params: dict
    library: str
    reference: Reference
    minimal: bool = False
    random: bool = False    # draws random numbers: run once per seed


EPS, STEP = 1 / 255, 0.25 / 255
PAIRS = [
    Pair("fgsm", "fgsm", {"eps": EPS}, "foolbox", foolbox(lambda: fb.attacks.FGSM(random_start=False), EPS)),
    Pair("bim", "bim", {"eps": EPS, "steps": 5, "step_size": STEP}, "foolbox",
         foolbox(lambda: fb.attacks.LinfBasicIterativeAttack(abs_stepsize=STEP, steps=5, random_start=False), EPS)),
    Pair("pgd", "pgd", {"eps": EPS, "steps": 5, "step_size": STEP, "random_start": False}, "foolbox",
         foolbox(lambda: fb.attacks.LinfPGD(abs_stepsize=STEP, steps=5, random_start=False), EPS)),
    Pair("mifgsm", "mifgsm", {"eps": EPS, "steps": 5, "step_size": STEP, "decay": 1.0}, "ART",
         art(lambda c: MomentumIterativeMethod(c, eps=EPS, eps_step=STEP, decay=1.0, max_iter=5, verbose=False))),
    Pair("apgd-ce", "apgd", {"eps": EPS, "steps": 5, "loss": "ce"}, "ART",
         art(lambda c: AutoProjectedGradientDescent(c, eps=EPS, eps_step=2 * EPS, max_iter=5, nb_random_init=1,
                                                    loss_type="cross_entropy", verbose=False)), random=True),
    Pair("apgd-dlr", "apgd", {"eps": EPS, "steps": 5, "loss": "dlr"}, "ART",
         art(lambda c: AutoProjectedGradientDescent(c, eps=EPS, eps_step=2 * EPS, max_iter=5, nb_random_init=1,
                                                    loss_type="difference_logits_ratio", verbose=False)), random=True),
    Pair("square", "square", {"eps": 16 / 255, "max_queries": 100, "p_init": 0.05}, "ART",
         art(lambda c: SquareAttack(c, norm=np.inf, eps=16 / 255, max_iter=99, p_init=0.05, verbose=False)),
         random=True),
    Pair("deepfool", "deepfool", {"candidates": 10, "steps": 50}, "foolbox",
         foolbox(lambda: fb.attacks.L2DeepFoolAttack(steps=50, candidates=10, overshoot=0.02), None), minimal=True),
    Pair("cw", "cw", {"binary_search_steps": 3, "steps": 20, "learning_rate": 0.01, "initial_const": 1.0,
                      "abort_early": False}, "foolbox",
         foolbox(lambda: fb.attacks.L2CarliniWagnerAttack(binary_search_steps=3, steps=20, stepsize=0.01,
                                                          initial_const=1.0, abort_early=False), None), minimal=True),
]


def exportable_l2(model, x, x_adv, y):
    """(N,) L2 of a float perturbation after the 8-bit export rule (inf where no scale keeps it adversarial)."""
    out = torch.full((x.shape[0],), float("inf"), device=x.device)
    with torch.no_grad():
        for scale in reversed((1, 1.25, 1.5, 2, 3, 4, 6, 8)):
            q = quantize(x + scale * (x_adv - x))
            out = torch.where(model(q).argmax(1) != y, (q - x).flatten(1).norm(dim=1), out)
    return out


def median(t: torch.Tensor) -> float:
    return float(t.median()) if t.numel() else float("nan")


def compare(pair: Pair, model, wrappers: Wrappers, x, y, seeds: int) -> str:
    """One line for the pair; a random pair runs once per seed (0, 1, ...) and sums times over the runs."""
    t_ours = t_ref = 0.0
    ours_x, ours_success, theirs_x = [], [], []
    for seed in range(seeds if pair.random else 1):
        params = pair.params | ({"seed": seed} if pair.random else {})
        ours, t = timed(lambda: make_attack(pair.attack, params).run(model, x, y))
        theirs, t_r = timed(lambda: pair.reference(wrappers, x, y, seed))
        t_ours, t_ref = t_ours + t, t_ref + t_r
        ours_x.append(ours.x_adv)
        ours_success.append(ours.success)
        theirs_x.append(theirs)
    runs = len(ours_x)
    x, y = x.repeat(runs, 1, 1, 1), y.repeat(runs)
    ours_x, ours_success, theirs = torch.cat(ours_x), torch.cat(ours_success), torch.cat(theirs_x)
    with torch.no_grad():
        success = model(theirs).argmax(1) != y
        success_8bit = model(quantize(theirs)).argmax(1) != y
    l2_ours = (ours_x - x).flatten(1).norm(dim=1)[ours_success]
    l2_ref = (theirs - x).flatten(1).norm(dim=1)[success]
    line = (f"{pair.label:9s} vs {pair.library:7s} ours {t_ours:7.2f} s  reference {t_ref:7.2f} s  "
            f"ratio {t_ours / t_ref:5.2f}  success {ours_success.float().mean():.2f} vs {success.float().mean():.2f} "
            f"(8-bit {success_8bit.float().mean():.2f})  median L2 {median(l2_ours):.3f} vs {median(l2_ref):.3f}")
    if pair.minimal:
        line += f" (exportable {median(exportable_l2(model, x, theirs, y)):.3f})"
    if runs > 1:
        line += f"  [{runs} seeds]"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=4)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--only", default="", help="comma-separated labels to run (default: all)")
    parser.add_argument("--seeds", type=int, default=1, help="runs of the attacks that draw random numbers")
    args = parser.parse_args()
    model = load_model(None, args.device)
    x, y = photos(model, args.images)
    wrappers = Wrappers(
        foolbox=fb.PyTorchModel(model, bounds=(0, 1)),
        art=PyTorchClassifier(model, loss=torch.nn.CrossEntropyLoss(), input_shape=(model.channels, *model.input_size),
                              nb_classes=model.num_classes, clip_values=(0.0, 1.0),
                              device_type="gpu" if model.device.type == "cuda" else "cpu"))
    wanted = set(filter(None, args.only.split(",")))
    warm = x.clone().requires_grad_(True)
    model(warm).sum().backward()   # one-time allocations, so the first pair timed does not pay them
    print(f"device {model.device}, torch threads {torch.get_num_threads()}, {len(y)} correctly classified photos")
    for pair in PAIRS:
        if not wanted or pair.label in wanted:
            print(compare(pair, model, wrappers, x, y, args.seeds), flush=True)


if __name__ == "__main__":
    main()
