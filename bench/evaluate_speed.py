"""Images per second of ``inspector evaluate`` at batch 1 and batch 32 (and the default batch).

PGD, 10 steps, one Linf budget, no sanity checks, on the CPU by default: the shipped held-out
MNIST digits for mnist-standard, the ImageNet sample photos (../shared/data) for
efficientnet-lite0 (few images: each costs 11 forward and 10 backward passes at 224x224).
The figure counts the whole evaluation: loading, clean predictions, the attack and the records.

    OMP_NUM_THREADS=1 PYTHONPATH=. python bench/evaluate_speed.py [--device cpu] [--lite0-images 32]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from inspector.core.evaluation import EvaluationConfig, default_batch_size, evaluate
from inspector.core.models.loading import load_model

IMAGENET_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "imagenet-sample"


def images_per_second(model, data: str, images: int, batch_size: int) -> float:
    config = EvaluationConfig(
        data=data,
        model=model.name,
        attacks=["pgd"],
        eps=["4/255"],
        params={"steps": "10"},
        batch_size=batch_size,
        limit=images,
        sanity=False,
    )
    start = time.perf_counter()
    result = evaluate(config, model=model)
    seconds = time.perf_counter() - start
    assert result.robust[0]["n"] == images
    return images / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--mnist-images", type=int, default=128)
    parser.add_argument("--lite0-images", type=int, default=32)
    args = parser.parse_args()
    for name, data, images in (
        ("mnist-standard", "mnist-heldout", args.mnist_images),
        ("efficientnet-lite0", str(IMAGENET_SAMPLE), args.lite0_images),
    ):
        model = load_model(name, args.device)
        default = default_batch_size(model)
        for batch in sorted({1, 32, default}):
            n = min(images, 8) if batch == 1 and name != "mnist-standard" else images
            rate = images_per_second(model, data, n, batch)
            note = " (the default)" if batch == default else ""
            print(f"{name:20s} batch {batch:3d}{note:14s} {n:4d} images  {rate:8.2f} images/s", flush=True)


if __name__ == "__main__":
    main()
