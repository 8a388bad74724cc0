"""Training throughput of ``inspector harden``'s loop against a bare torch loop on the same net and batch.

Prints images per second of one standard epoch and one PGD-AT epoch (PGD with a random start,
``--steps`` sign steps in eval mode, then one Adam step on the adversarials) through the product's
training loop (:func:`inspector.core.training.loop.fit` with its batch losses), and of the same
work written as a bare torch loop (the floor), and their ratio. Goal: at most 1.10.

    PYTHONPATH=. python bench/harden_throughput.py [--arch mnist-cnn|gtsrb-cnn] [--images 2000]
        [--steps 8] [--repeats 2] [--device cpu]
"""

from __future__ import annotations

import argparse
import time

import torch
import torch.nn.functional as F

from inspector.core.models.architectures import ARCHITECTURES
from inspector.core.training.loop import fit
from inspector.core.training.pgd_at import PGDAdversarialLoss
from inspector.core.training.standard import cross_entropy_loss

BATCH = 100


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def bare_epoch(net, x, y, eps: float, steps: int) -> None:
    """One epoch written directly in torch: shuffled batches, Adam, optional PGD adversarials."""
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    order = torch.randperm(len(y))
    for start in range(0, len(y), BATCH):
        idx = order[start : start + BATCH]
        xb, yb = x[idx], y[idx]
        if steps:
            net.eval()
            x_adv = (xb + torch.empty_like(xb).uniform_(-eps, eps)).clamp(0, 1)
            for _ in range(steps):
                x_adv.requires_grad_(True)
                (grad,) = torch.autograd.grad(F.cross_entropy(net(x_adv), yb), x_adv)
                with torch.no_grad():
                    x_adv = torch.minimum(torch.maximum(x_adv + 2.5 * eps / steps * grad.sign(), xb - eps), xb + eps)
                    x_adv = x_adv.clamp(0, 1)
            xb = x_adv.detach()
            net.train()
        loss = F.cross_entropy(net(xb), yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()


def product_epoch(net, x, y, eps: float, steps: int) -> None:
    loss = PGDAdversarialLoss(eps=eps, steps=steps, warmup=0) if steps else cross_entropy_loss
    fit(net, x, y, loss, stage="bench", epochs=1, batch_size=BATCH)


def seconds(run, arch, x, y, eps: float, steps: int) -> float:
    torch.manual_seed(0)
    net = arch.build(10).to(x.device)
    synchronize(x.device)
    start = time.perf_counter()
    run(net, x, y, eps, steps)
    synchronize(x.device)
    return time.perf_counter() - start


def images_per_second(arch, x, y, eps: float, steps: int, repeats: int) -> tuple[float, float]:
    """(bare, product) images per second, each the best of ``repeats`` runs, the two interleaved so
    that a change in the machine's load falls on both."""
    bare, product = float("inf"), float("inf")
    for _ in range(repeats):
        bare = min(bare, seconds(bare_epoch, arch, x, y, eps, steps))
        product = min(product, seconds(product_epoch, arch, x, y, eps, steps))
    return len(y) / bare, len(y) / product


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", default="mnist-cnn", choices=("mnist-cnn", "gtsrb-cnn"))
    parser.add_argument("--images", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    arch = ARCHITECTURES[args.arch]
    device = torch.device(args.device)
    channels, (height, width) = arch.defaults.channels, arch.defaults.input_size
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(args.images, channels, height, width, generator=generator).to(device)
    y = torch.randint(0, 10, (args.images,), generator=generator).to(device)
    eps = 0.3 if channels == 1 else 8 / 255
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"{args.arch} on {name}: {args.images} images, batch {BATCH}, best of {args.repeats}")
    for label, steps in (("standard", 0), (f"PGD-AT ({args.steps} steps)", args.steps)):
        images_per_second(arch, x[: 2 * BATCH], y[: 2 * BATCH], eps, steps, 1)  # warm-up
        bare, product = images_per_second(arch, x, y, eps, steps, args.repeats)
        print(f"{label:>22}: bare {bare:8.0f} img/s, product {product:8.0f} img/s, ratio {bare / product:.3f}")


if __name__ == "__main__":
    main()
