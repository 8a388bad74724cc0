"""Train the shipped randomized-smoothing base classifiers, mnist-smooth-0.25 and mnist-smooth-0.50
(Gaussian noise augmentation, Cohen, Rosenfeld and Kolter 2019, arXiv:1902.02918), and ship them.

Each is `inspector train smooth --sigma S --epochs 10 --out WORK --resume` (the first 8,000 digits of
the MNIST test set, seed 0); a network already trained in WORK is reused. The weights are written
to resources/models/mnist-smooth-<S>.safetensors in float16 (half the file), with the training
settings as metadata, and their clean held-out accuracy is printed.

    OMP_NUM_THREADS=1 nice -n 15 python bench/train_smoothing.py --work /tmp/smooth-work
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch
from safetensors import safe_open

from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.io.resources import resource_path
from inspector.core.models.zoo.mnist_cnn import SMOOTHING_SIGMA, load_mnist_cnn, save_weights
from inspector.core.training import train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--work", type=Path, default=Path("smooth-work"), help="folder for checkpoints and float32 weights"
    )
    parser.add_argument("--epochs", type=int, default=10)
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    x, y = mnist_split()["held_out"]
    for name, sigma in SMOOTHING_SIGMA.items():
        trained = args.work / f"{name}.safetensors"
        if not trained.exists():
            report = train("smooth", params={"sigma": sigma}, epochs=args.epochs, out_dir=args.work, resume=True)
            print(f"trained {report.path} in {report.seconds:.0f} s")
        with safe_open(str(trained), "pt") as fh:
            metadata = fh.metadata()
        model = load_mnist_cnn(trained, name)
        with torch.no_grad():
            accuracy = (model(x).argmax(1) == y).float().mean().item()
        save_weights(model.net, resource_path("models", f"{name}.safetensors"), metadata, dtype=torch.float16)
        print(f"{name}: sigma {sigma}, {metadata.get('epochs')} epochs, clean held-out accuracy {accuracy:.2%}")


if __name__ == "__main__":
    main()
