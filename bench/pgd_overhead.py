"""PGD's cost against the floor any gradient attack pays.

Prints, for the built-in model on CPU at batch 1 and 8, PGD's attack_time_s
divided by the time of the same number of bare input-gradient evaluations
(a forward pass plus torch.autograd.grad of the loss w.r.t. the input only,
parameters frozen). Target: at most 1.10.

    python bench/pgd_overhead.py [--steps 10] [--repeats 3] [--device cpu]
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

from inspector.core.attacks import make_attack
from inspector.core.io.image import load_tensor
from inspector.core.io.resources import sample_images
from inspector.core.models.loading import load_model


def bare_gradients(model, x, y, steps: int) -> float:
    start = time.perf_counter()
    for _ in range(steps):
        xi = x.detach().requires_grad_(True)
        loss = F.cross_entropy(model(xi), y)
        torch.autograd.grad(loss, xi)
    if x.device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def pgd_time(model, x, y, steps: int) -> float:
    attack = make_attack("pgd", {"eps": "4/255", "steps": steps, "step_size": "1/255"})
    start = time.perf_counter()
    attack.run(model, x, y)
    if x.device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    model = load_model(None, args.device)
    photos = [load_tensor(p, model.input_size) for p in sample_images()]
    print(f"device {model.device}, torch threads {torch.get_num_threads()}, {args.steps} steps, best of {args.repeats}")
    for batch in (1, 8):
        x = torch.cat([photos[i % len(photos)] for i in range(batch)]).to(model.device)
        with torch.no_grad():
            y = model(x).argmax(1)
        bare_gradients(model, x, y, 2)  # warm-up
        bare = min(bare_gradients(model, x, y, args.steps) for _ in range(args.repeats))
        pgd = min(pgd_time(model, x, y, args.steps) for _ in range(args.repeats))
        print(f"batch {batch}: PGD {pgd:.3f} s, bare gradients {bare:.3f} s, ratio {pgd / bare:.3f}")


if __name__ == "__main__":
    main()
