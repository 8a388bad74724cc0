"""Our attacks against foolbox 3's at the same budget, on the same model and photos.

For each pair prints the wall time of ours and of the reference, their ratio
(ours / reference), the success rate both sides and the median L2 both sides.
Ours is judged on the 8-bit image it exports; the reference's figures are its
own (float) ones, plus, for minimal-norm attacks, its success once rounded to
8 bits. Needs the ``reference`` extra.

    PYTHONPATH=. python bench/attacks_vs_reference.py [--images 4] [--device cpu]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import foolbox as fb
import torch

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


PAIRS = [
    ("bim", {"eps": "1/255", "steps": 5, "step_size": "0.25/255"},
     lambda: fb.attacks.LinfBasicIterativeAttack(abs_stepsize=0.25 / 255, steps=5, random_start=False), 1 / 255),
    ("deepfool", {"candidates": 10, "steps": 50},
     lambda: fb.attacks.L2DeepFoolAttack(steps=50, candidates=10, overshoot=0.02), None),
    ("cw", {"binary_search_steps": 3, "steps": 20, "initial_const": 1.0},
     lambda: fb.attacks.L2CarliniWagnerAttack(binary_search_steps=3, steps=20, initial_const=1.0), None),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=4)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    model = load_model(None, args.device)
    x, y = photos(model, args.images)
    fmodel = fb.PyTorchModel(model, bounds=(0, 1))
    print(f"device {model.device}, torch threads {torch.get_num_threads()}, {len(y)} correctly classified photos")
    for name, params, reference, eps in PAIRS:
        ours, t_ours = timed(lambda: make_attack(name, params).run(model, x, y))
        (_, theirs, success), t_ref = timed(lambda: reference()(fmodel, x, y, epsilons=eps))
        with torch.no_grad():
            ref_8bit = (model(quantize(theirs)).argmax(1) != y).float().mean()
        l2_ours = (ours.x_adv - x).flatten(1).norm(dim=1)[ours.success]
        l2_ref = (theirs - x).flatten(1).norm(dim=1)[success]
        med = lambda t: float(t.median()) if t.numel() else float("nan")  # noqa: E731
        print(f"{name:9s} ours {t_ours:7.2f} s  reference {t_ref:7.2f} s  ratio {t_ours / t_ref:5.2f}  "
              f"success {ours.success.float().mean():.2f} vs {success.float().mean():.2f} "
              f"(reference after 8-bit rounding {ref_8bit:.2f})  "
              f"median L2 {med(l2_ours):.3f} vs {med(l2_ref):.3f}")


if __name__ == "__main__":
    main()
