"""Every attack against the fastest of foolbox 3.3.4, ART 1.20.1 and torchattacks 3.5.1 at the same settings.

For each attack, on the same images in one run: our wall time and the fastest
reference's, their ratio (ours / reference), the success rates and the median
norm of the successes (L2; L0 for JSMA), and the floor: the input gradients
(one per image and backward pass) and queries we used times the measured cost
of one at that batch size, what the model alone takes (the last column is
ours / floor; DeepFool's extra backward passes through one forward pass cost
less than a gradient each, so it can go below 1). Every reference that has
the attack runs (its time is listed too); attacks no reference has (L-BFGS)
are compared with the floor only.

Ours is judged on the 8-bit image it exports; a reference on its own float
output, plus its success once rounded to 8 bits and, for minimal-norm
attacks, the median L2 of its perturbation after the export rule of
tests/test_attacks_reference.py (scaled by the smallest of 1, 1.25, ..., 8
that keeps it adversarial once rounded). Square: ART's max_iter and
torchattacks' n_queries count candidates after the stripe start, so they are
max_queries - 1. C&W against foolbox: the paper's search, one c at a time,
without early abort on both sides (equal steps); and our defaults (early
stops, the learning rate from the image size, c from 0.1) against foolbox at
the same steps, values of c and confidence, with its own early abort and
other defaults, on photos and on digits (``cw-default-*``; minimal-norm lines
also give the input gradients per image both sides, every row of a batch
counted); against torchattacks, which
has one c and stops once its loss rises at a check every steps / 10, ours
with the same check (``abort_window`` 2 of 20 steps). ART's C&W is left out
(gradient descent with a learning-rate line search, not Adam). DeepFool is
compared with foolbox only: ART's took 454 s on the four photos (50 times
foolbox), and torchattacks' differentiates all 1000 classes per iteration.
JSMA (targets (y + 1) mod 10) and HopSkipJump run on MNIST digits;
HopSkipJump's references run first on a model that counts the images it is
sent, and the fewest queries per image any of them used set our
``max_queries``. Attacks that draw random numbers run once per seed with
``--seeds``; black-box lines give the model's rows per image both sides (a
time ratio means little at unequal queries).

    PYTHONPATH=. python bench/attacks_vs_reference.py [--images 4] [--digits 10] [--only apgd-ce,cw] [--seeds 3]
        [--repeats 3] [--threads 1] [--clock cpu|wall]

Times are process CPU times by default (``--clock cpu``, one torch thread):
on a shared machine they are what each run takes on an idle core.
"""

from __future__ import annotations

import argparse
import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import foolbox as fb
import numpy as np
import torch
from art.attacks import evasion as art_attacks
from art.estimators.classification import PyTorchClassifier

from inspector.core.attacks import ATTACKS, make_attack
from inspector.core.evasion.cost import count_gradient_rows
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.io.image import load_tensor, quantize
from inspector.core.models.loading import load_model
from inspector.core.util.metrics import perturbation_norms

try:  # pip install --no-deps torchattacks==3.5.1: it declares torchvision, which these attacks never import
    import torchattacks
except ImportError:
    torchattacks = None

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
EXPORT_SCALES = (1, 1.25, 1.5, 2, 3, 4, 6, 8)


def photos(model, count: int):
    wnids = [line.split("\t")[1] for line in (DATA / "imagenet_classes.tsv").read_text().splitlines()]
    files = sorted((DATA / "imagenet-sample").glob("*.JPEG"))[: 3 * count]
    x = torch.cat([load_tensor(f, model.input_size) for f in files]).to(model.device)
    y = torch.tensor([wnids.index(f.name.split("_")[0]) for f in files], device=model.device)
    return correct(model, x, y, count)


def digits(model, count: int):
    x, y = mnist_split(DATA / "mnist")["held_out"]
    return correct(model, x[: 2 * count].to(model.device), y[: 2 * count].to(model.device), count)


def correct(model, x, y, count):
    with torch.no_grad():
        ok = model(x).argmax(1) == y
    return x[ok][:count], y[ok][:count]


#: The clock of every time: process CPU time (on one thread, the wall time on an idle core, which other
#: processes' load does not stretch) or wall time (``--clock wall``; what a GPU run needs).
CLOCK = {"cpu": time.process_time, "wall": time.perf_counter}
clock = CLOCK["cpu"]


def timed(fn, repeats: int = 1):
    """``fn()``'s result and its fastest time on ``clock`` over ``repeats`` calls."""
    best = float("inf")
    for _ in range(repeats):
        start = clock()
        out = fn()
        if torch.cuda.is_available():
            torch.cuda.synchronize()
        best = min(best, clock() - start)
    return out, best


class Counted(torch.nn.Module):
    """The model, counting the images it is sent (float32 whatever the caller sends) and the input
    gradients computed through it (one per image row and backward pass)."""

    def __init__(self, model):
        super().__init__()
        self.model, self.rows, self.num_classes, self.gradient_rows = model, 0, model.num_classes, [0]

    def forward(self, x):
        self.rows += x.shape[0]
        return self.model(count_gradient_rows(x.float(), self.gradient_rows) if x.requires_grad else x.float())


@dataclass
class Task:
    """What a reference gets: the model (counted), its wrappers, the images and targets, the seed."""

    model: Counted
    x: torch.Tensor
    y: torch.Tensor
    target: torch.Tensor | None
    seed: int

    def foolbox(self):
        return fb.PyTorchModel(self.model, bounds=(0, 1))

    def art(self):
        return PyTorchClassifier(
            self.model,
            loss=torch.nn.CrossEntropyLoss(),
            input_shape=tuple(self.x.shape[1:]),
            nb_classes=self.model.num_classes,
            clip_values=(0.0, 1.0),
            device_type="gpu" if self.x.device.type == "cuda" else "cpu",
        )


Reference = Callable[[Task], torch.Tensor]


def foolbox(make, eps: float | None = None) -> Reference:
    """A (deterministic) foolbox attack at budget ``eps`` (None: minimal-norm): its clipped adversarials."""
    return lambda task: make()(task.foolbox(), task.x, task.y, epsilons=eps)[1]


def judged(adv: torch.Tensor, task: Task) -> torch.Tensor:
    """Classify the adversarials once, as foolbox (and ours) do to report success; ART and torchattacks
    leave that pass to the caller, so it is timed with them."""
    with torch.no_grad():
        task.model.model(adv)
    return adv


def art(make) -> Reference:
    """An ART attack on the classifier; ART draws from numpy's global generator, seeded here."""

    def run(task):
        np.random.seed(task.seed)
        labels = (task.y if task.target is None else task.target).cpu().numpy()
        adv = make(task.art()).generate(task.x.cpu().numpy(), labels)
        return judged(torch.from_numpy(adv).float().to(task.x.device), task)

    return run


def ta(make) -> Reference | None:
    """A torchattacks attack (None without torchattacks); its random draws come from torch's global
    generator, seeded here."""
    if torchattacks is None:
        return None

    def run(task):
        torch.manual_seed(task.seed)
        attack = make(task.model)
        if hasattr(attack, "seed"):  # Square and APGD draw from their own seeded generator
            attack.seed = task.seed
        if task.target is not None:
            attack.set_mode_targeted_by_function(lambda images, labels: task.target)
        return judged(attack(task.x, task.y), task)

    return run


@dataclass
class Pair:
    label: str
    attack: str
    params: dict
    references: dict[str, Reference]
    data: str = "photo"
    minimal: bool = False
    random: bool = False  # draws random numbers: run once per seed
    targeted: bool = False  # targets (y + 1) mod 10
    queries_from_reference: bool = False  # our max_queries: the reference's queries per image


EPS, STEP = 1 / 255, 0.25 / 255
CW = {"binary_search_steps": 3, "steps": 20, "learning_rate": 0.01, "initial_const": 1.0, "abort_early": False}
CW_DEFAULT = {spec.name: spec.default for spec in ATTACKS["cw"].params()}
PAIRS = [
    Pair(
        "fgsm",
        "fgsm",
        {"eps": EPS},
        {
            "foolbox": foolbox(lambda: fb.attacks.FGSM(random_start=False), EPS),
            "ART": art(lambda c: art_attacks.FastGradientMethod(c, eps=EPS)),
            "torchattacks": ta(lambda m: torchattacks.FGSM(m, eps=EPS)),
        },
    ),
    Pair(
        "bim",
        "bim",
        {"eps": EPS, "steps": 5, "step_size": STEP},
        {
            "foolbox": foolbox(
                lambda: fb.attacks.LinfBasicIterativeAttack(abs_stepsize=STEP, steps=5, random_start=False), EPS
            ),
            "ART": art(
                lambda c: art_attacks.BasicIterativeMethod(c, eps=EPS, eps_step=STEP, max_iter=5, verbose=False)
            ),
            "torchattacks": ta(lambda m: torchattacks.BIM(m, eps=EPS, alpha=STEP, steps=5)),
        },
    ),
    Pair(
        "pgd",
        "pgd",
        {"eps": EPS, "steps": 5, "step_size": STEP, "random_start": False},
        {
            "foolbox": foolbox(lambda: fb.attacks.LinfPGD(abs_stepsize=STEP, steps=5, random_start=False), EPS),
            "ART": art(
                lambda c: art_attacks.ProjectedGradientDescent(
                    c, eps=EPS, eps_step=STEP, max_iter=5, num_random_init=0, verbose=False
                )
            ),
            "torchattacks": ta(lambda m: torchattacks.PGD(m, eps=EPS, alpha=STEP, steps=5, random_start=False)),
        },
    ),
    Pair(
        "mifgsm",
        "mifgsm",
        {"eps": EPS, "steps": 5, "step_size": STEP, "decay": 1.0},
        {
            "ART": art(
                lambda c: art_attacks.MomentumIterativeMethod(
                    c, eps=EPS, eps_step=STEP, decay=1.0, max_iter=5, verbose=False
                )
            ),
            "torchattacks": ta(lambda m: torchattacks.MIFGSM(m, eps=EPS, alpha=STEP, steps=5, decay=1.0)),
        },
    ),
    *[
        Pair(
            f"apgd-{loss}",
            "apgd",
            {"eps": EPS, "steps": 5, "loss": loss},
            {
                "ART": art(
                    lambda c, art_loss=art_loss: art_attacks.AutoProjectedGradientDescent(
                        c, eps=EPS, eps_step=2 * EPS, max_iter=5, nb_random_init=1, loss_type=art_loss, verbose=False
                    )
                ),
                "torchattacks": ta(
                    lambda m, loss=loss: torchattacks.APGD(m, eps=EPS, steps=5, n_restarts=1, loss=loss)
                ),
            },
            random=True,
        )
        for loss, art_loss in (("ce", "cross_entropy"), ("dlr", "difference_logits_ratio"))
    ],
    Pair(
        "square",
        "square",
        {"eps": 16 / 255, "max_queries": 100, "p_init": 0.05},
        {
            "ART": art(
                lambda c: art_attacks.SquareAttack(
                    c, norm=np.inf, eps=16 / 255, max_iter=99, p_init=0.05, verbose=False
                )
            ),
            "torchattacks": ta(
                lambda m: torchattacks.Square(
                    m, norm="Linf", eps=16 / 255, n_queries=99, p_init=0.05, n_restarts=1, loss="margin"
                )
            ),
        },
        random=True,
    ),
    Pair(
        "deepfool",
        "deepfool",
        {"candidates": 10, "steps": 50},
        {"foolbox": foolbox(lambda: fb.attacks.L2DeepFoolAttack(steps=50, candidates=10, overshoot=0.02))},
        minimal=True,
    ),
    Pair(
        "cw",
        "cw",
        CW,
        {
            "foolbox": foolbox(
                lambda: fb.attacks.L2CarliniWagnerAttack(
                    binary_search_steps=3, steps=20, stepsize=0.01, initial_const=1.0, abort_early=False
                )
            )
        },
        minimal=True,
    ),
    *[
        Pair(
            f"cw-default-{data}",
            "cw",
            {},
            {
                "foolbox": foolbox(
                    lambda: fb.attacks.L2CarliniWagnerAttack(
                        binary_search_steps=CW_DEFAULT["binary_search_steps"],
                        steps=CW_DEFAULT["steps"],
                        confidence=CW_DEFAULT["confidence"],
                    )
                )
            },
            data=data,
            minimal=True,
        )
        for data in ("photo", "digit")
    ],
    Pair(
        "cw-1c",
        "cw",
        CW | {"binary_search_steps": 1, "abort_early": True, "abort_window": 2},
        {"torchattacks": ta(lambda m: torchattacks.CW(m, c=1.0, kappa=0, steps=20, lr=0.01))},
        minimal=True,
    ),
    Pair("lbfgs", "lbfgs", {}, {}, minimal=True),
    Pair(
        "jsma",
        "jsma",
        {"theta": 1.0, "gamma": 0.145},
        {
            "ART": art(
                lambda c: art_attacks.SaliencyMapMethod(c, theta=1.0, gamma=0.145, batch_size=64, verbose=False)
            ),
            "torchattacks": ta(lambda m: torchattacks.JSMA(m, theta=1.0, gamma=0.145)),
        },
        data="digit",
        minimal=True,
        targeted=True,
    ),
    *[
        Pair(
            f"hsj-{norm}",
            "hopskipjump",
            {"norm": norm},
            {
                "foolbox": foolbox(lambda norm=norm: fb.attacks.HopSkipJumpAttack(steps=8, constraint=norm)),
                "ART": art(
                    lambda c, norm=norm: art_attacks.HopSkipJump(
                        c, norm=2 if norm == "l2" else np.inf, max_iter=8, verbose=False
                    )
                ),
            },
            data="digit",
            minimal=True,
            random=True,
            queries_from_reference=True,
        )
        for norm in ("l2", "linf")
    ],
]


def exportable_l2(model, x, x_adv, y):
    """(N,) L2 of a float perturbation after the 8-bit export rule (inf where no scale keeps it adversarial)."""
    out = torch.full((x.shape[0],), float("inf"), device=x.device)
    with torch.no_grad():
        for scale in reversed(EXPORT_SCALES):
            q = quantize(x + scale * (x_adv - x))
            out = torch.where(model(q).argmax(1) != y, (q - x).flatten(1).norm(dim=1), out)
    return out


def unit_costs(model, x) -> tuple[float, float]:
    """Seconds of one input gradient of an image in the batch ``x``, and of one query in the batch of
    1, 16 or 64 images where it is cheapest (black-box attacks batch their probes): the fastest of three."""

    def gradient():
        point = x.clone().requires_grad_(True)
        torch.autograd.grad(model(point).sum(), point)

    def forward(batch):
        with torch.no_grad():
            model(batch)

    query = min(
        min(timed(partial(forward, batch))[1] for _ in range(3)) / len(batch)
        for batch in (x[:1].expand(n, *x.shape[1:]).contiguous() for n in (1, 16, 64))
    )
    return min(timed(gradient)[1] for _ in range(3)) / len(x), query


def norm_of(pair: Pair, x, x_adv) -> torch.Tensor:
    norms = perturbation_norms(x, x_adv)
    return torch.tensor(norms["l0" if pair.attack == "jsma" else "l2"], dtype=torch.float)


def median(t: torch.Tensor) -> float:
    return float(t.median()) if t.numel() else float("nan")


def fooled(model, x_adv, y, target):
    with torch.no_grad():
        pred = model(x_adv).argmax(1)
    return pred == target if target is not None else pred != y


def compare(pair: Pair, model, x, y, seeds: int, repeats: int = 1) -> str:
    """One line: ours against the fastest reference; random pairs pool ``seeds`` runs and add up times,
    each the fastest of ``repeats``."""
    target = (y + 1) % 10 if pair.targeted else None
    pair.references = {name: ref for name, ref in pair.references.items() if ref is not None}
    counted = Counted(model).eval()
    gradient_s, forward_s = unit_costs(model, x)
    times = {name: 0.0 for name in pair.references}
    their_rows = dict.fromkeys(pair.references, 0)
    their_gradients = dict.fromkeys(pair.references, 0)
    t_ours, floor, runs, our_gradients = 0.0, 0.0, [], 0
    for seed in range(seeds if pair.random else 1):
        theirs, rows = {}, {}
        for name, reference in pair.references.items():
            counted.rows, counted.gradient_rows[0] = 0, 0
            theirs[name], t = timed(
                lambda reference=reference, seed=seed: reference(Task(counted, x, y, target, seed)), repeats
            )
            times[name] += t
            their_gradients[name] += counted.gradient_rows[0] // repeats
            their_rows[name] += counted.rows // repeats
            rows[name] = counted.rows // repeats
        params = pair.params | ({"seed": seed} if pair.random else {})
        if pair.queries_from_reference:  # no more than the reference that used the fewest
            params["max_queries"] = math.ceil(min(rows.values()) / len(y))
        attack = make_attack(pair.attack, params)
        counted.rows, counted.gradient_rows[0] = 0, 0
        ours, t = timed(partial(attack.run, counted, x, y, target=target), repeats)
        t_ours += t
        queries = float(ours.query_counts.sum()) if ours.query_counts is not None else 0.0
        floor += counted.gradient_rows[0] / repeats * gradient_s + queries * forward_s
        our_gradients += counted.gradient_rows[0] // repeats
        runs.append((ours, theirs))
    xs, ys = x.repeat(len(runs), 1, 1, 1), y.repeat(len(runs))
    ts = None if target is None else target.repeat(len(runs))
    ours_x = torch.cat([r[0].x_adv for r in runs])
    ours_ok = torch.cat([r[0].success for r in runs])
    black_box = runs[0][0].query_counts is not None
    ours_queries = sum(int(r[0].query_counts.sum()) for r in runs) if black_box else 0
    line = (
        f"{pair.label:9s} ours {t_ours:7.2f} s  success {ours_ok.float().mean():.2f}  "
        f"median {'L0' if pair.attack == 'jsma' else 'L2'} {median(norm_of(pair, xs, ours_x)[ours_ok.cpu()]):.3f}  "
        f"floor {floor:6.2f} s (ours/floor {t_ours / floor if floor else float('nan'):4.2f})"
    )
    if not pair.references:
        return line + "  no reference has it"
    fastest = min(times, key=times.get)
    theirs = torch.cat([r[1][fastest] for r in runs])
    ok = fooled(model, theirs, ys, ts)
    ok_8bit = fooled(model, quantize(theirs), ys, ts)
    line += (
        f"\n{'':9s} vs {fastest:12s} {times[fastest]:7.2f} s  ratio {t_ours / times[fastest]:5.2f}  success "
        f"{ok.float().mean():.2f} (8-bit {ok_8bit.float().mean():.2f})  median "
        f"{median(norm_of(pair, xs, theirs)[ok.cpu()]):.3f}"
    )
    if pair.minimal and pair.attack != "jsma":
        line += f" (exportable {median(exportable_l2(model, xs, theirs, ys)):.3f})"
    if pair.minimal and not black_box:  # input gradients per image, every row of a batch counted
        line += f"  gradients/image {our_gradients / len(xs):.0f} vs {their_gradients[fastest] / len(xs):.0f}"
    if black_box:  # the model's rows per image: queries, and for the references the final judging pass too
        line += f"  model rows/image {ours_queries / len(xs):.0f} vs {their_rows[fastest] / len(xs):.0f}"
    others = [f"{name} {t:.2f} s" for name, t in times.items() if name != fastest]
    if others:
        line += f"  [also {', '.join(others)}]"
    if len(runs) > 1:
        line += f"  [{len(runs)} seeds]"
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=4, help="ImageNet sample photos (efficientnet-lite0)")
    parser.add_argument("--digits", type=int, default=10, help="MNIST digits (mnist-standard) for JSMA and HSJ")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--only", default="", help="comma-separated labels to run (default: all)")
    parser.add_argument("--seeds", type=int, default=1, help="runs of the attacks that draw random numbers")
    parser.add_argument("--repeats", type=int, default=1, help="time each run as the fastest of this many")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's default)")
    parser.add_argument("--clock", choices=sorted(CLOCK), default="cpu", help="cpu: process time (one thread); wall")
    args = parser.parse_args()
    global clock
    clock = CLOCK[args.clock]
    if args.threads:
        torch.set_num_threads(args.threads)
    data = {}
    for kind, spec, load, count in (
        ("photo", None, photos, args.images),
        ("digit", "mnist-standard", digits, args.digits),
    ):
        model = load_model(spec, args.device)
        x, y = load(model, count)
        warm = x.clone().requires_grad_(True)
        model(warm).sum().backward()  # one-time allocations, so the first pair timed does not pay them
        data[kind] = (model, x, y)
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, {args.clock} clock, "
        f"device {args.device}, torch threads {torch.get_num_threads()}, {len(data['photo'][2])} photos "
        f"(efficientnet-lite0), {len(data['digit'][2])} digits (mnist-standard), all correctly classified"
        + ("" if torchattacks else "; torchattacks is not installed: foolbox and ART only")
    )
    wanted = set(filter(None, args.only.split(",")))
    for pair in PAIRS:
        if not wanted or pair.label in wanted:
            print(compare(pair, *data[pair.data], args.seeds, args.repeats), flush=True)


if __name__ == "__main__":
    main()
