"""Every attack with its defaults, one image at a time as the app runs it: wall time on 224x224 photos and MNIST digits.

For each registered attack (untargeted, its default parameters, or its paper
settings with ``--preset paper``), runs ``attack.run`` on each of ``--photos``
held-out ImageNet sample photos with the built-in efficientnet-lite0 and on
each of ``--digits`` held-out MNIST digits with mnist-standard, and prints per
kind of image: the wall time of the attack alone (median and max over the
images; model loading not included), the success rate, the median norm of the
successes (L2; L0 for JSMA; Linf for budgeted Linf attacks, in grey levels),
the gradients and queries used (most of any image) and the attack's planned
upper bound. A run longer than ``--limit`` seconds is cancelled and shown as
``>limit``. Beside the wall times, the CPU times of the process: on one
thread, what the run takes on an idle core, where other processes' load
stretches the wall time (the load average is printed first). Torch runs on ``--threads`` threads: 1 by default, as the app's
worker on a 2-core machine (it leaves one core to the window).

    PYTHONPATH=. python bench/attack_defaults.py [--photos 3] [--digits 3] [--only cw,lbfgs] [--preset paper]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import torch

from inspector.core.attacks import ATTACKS, make_attack
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.io.image import load_tensor
from inspector.core.models.loading import load_model
from inspector.core.util.metrics import perturbation_norms

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
#: The order of README's table of attacks.
ORDER = ("fgsm", "bim", "pgd", "mifgsm", "apgd", "deepfool", "cw", "lbfgs", "jsma", "square", "hopskipjump")


def photos(model, count: int):
    wnids = [line.split("\t")[1] for line in (DATA / "imagenet_classes.tsv").read_text().splitlines()]
    files = sorted((DATA / "imagenet-sample").glob("*.JPEG"))[: 3 * count + 3]
    x = torch.cat([load_tensor(f, model.input_size) for f in files])
    y = torch.tensor([wnids.index(f.name.split("_")[0]) for f in files])
    return correct(model, x, y, count)


def digits(model, count: int):
    x, y = mnist_split(DATA / "mnist")["held_out"]
    return correct(model, x[: 3 * count + 3], y[: 3 * count + 3], count)


def correct(model, x, y, count):
    with torch.no_grad():
        ok = model(x).argmax(1) == y
    return x[ok][:count], y[ok][:count]


def norm_of(attack, x, x_adv) -> tuple[str, float]:
    norms = perturbation_norms(x, x_adv)
    if attack.name == "jsma":
        return "L0", norms["l0"][0]
    if not attack.minimal and getattr(attack, "norm", "l2") == "linf":
        return "Linf", norms["linf_grey"][0]
    return "L2", norms["l2"][0]


def run_one(attack, model, x, y, limit: float):
    """The result, its wall time and its CPU time (seconds; on one thread, the wall time on an idle core)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = attack.run(model, x, y, should_stop=lambda: time.perf_counter() - start > limit)
    return result, time.perf_counter() - start, time.process_time() - cpu


def line(name: str, kind: str, attack, model, x, y, limit: float) -> str:
    times, cpus, fooled, norms, gradients, queries, label = [], [], [], [], 0, 0, ""
    for i in range(len(y)):
        result, seconds, cpu = run_one(attack, model, x[i : i + 1], y[i : i + 1], limit)
        times.append(seconds)
        cpus.append(cpu)
        gradients, queries = max(gradients, result.gradient_evaluations), max(queries, result.queries)
        if result.cancelled:
            fooled.append(False)
            continue
        fooled.append(bool(result.success[0]))
        if result.success[0]:
            label, value = norm_of(attack, x[i : i + 1], result.x_adv)
            norms.append(value)
    planned = attack.planned_cost(tuple(x.shape[1:])) if hasattr(attack, "planned_cost") else None
    worst = f">{limit:.0f}" if max(times) > limit else f"{max(times):.2f}"
    norm = f"{label} {statistics.median(norms):.3g}" if norms else "-"
    text = (
        f"{name:12s} {kind:6s} median {statistics.median(times):7.2f} s  max {worst:>7s} s  "
        f"cpu median {statistics.median(cpus):7.2f} s  max {max(cpus):7.2f} s  "
        f"success {sum(fooled)}/{len(fooled)}  median {norm:12s} gradients {gradients:6d}  queries {queries:6d}"
    )
    if planned is not None:
        text += f"  planned <= {planned[0]} gradients, {planned[1]} queries"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=3)
    parser.add_argument("--digits", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated attack names (default: all)")
    parser.add_argument("--preset", default="default", help="default, or paper (the published budgets)")
    parser.add_argument("--limit", type=float, default=300.0, help="cancel a run after this many seconds")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    photo_model, digit_model = load_model("efficientnet-lite0", "cpu"), load_model("mnist-standard", "cpu")
    sets = [
        ("photo", photo_model, *photos(photo_model, args.photos)),
        ("digit", digit_model, *digits(digit_model, args.digits)),
    ]
    for _, model, x, _ in [s for s in sets if len(s[3])]:  # one-time allocations, not paid by the first attack
        model(x[:1].clone().requires_grad_(True)).sum().backward()
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, "
        f"torch threads {torch.get_num_threads()}, preset {args.preset}, {len(sets[0][3])} photos 224x224 "
        f"(efficientnet-lite0), {len(sets[1][3])} digits 28x28 (mnist-standard), one image per run"
    )
    wanted = set(filter(None, args.only.split(",")))
    for name in sorted(ATTACKS, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER)):
        if wanted and name not in wanted:
            continue
        params = ATTACKS[name].preset(args.preset) if hasattr(ATTACKS[name], "preset") else {}
        attack = make_attack(name, params)
        for kind, model, x, y in sets:
            if len(y):
                print(line(name, kind, attack, model, x, y, args.limit), flush=True)


if __name__ == "__main__":
    main()
