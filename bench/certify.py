"""Certified L2 robustness by randomized smoothing (Cohen, Rosenfeld and Kolter 2019,
arXiv:1902.02918) of the shipped smoothing models: speed, Cohen-style certified-accuracy
curves, and the same certificates from IBM's Adversarial Robustness Toolbox (ART).

    OMP_NUM_THREADS=1 nice -n 15 python bench/certify.py [--images 100] [--n 1000] [--art-images 20]

1. The curve: CERTIFY (n0 = 100, n = 1,000, alpha = 0.001, each model at the sigma it was
   trained with) on the first --images held-out digits; prints the certified accuracy at radii
   0, 0.25, ... as a Markdown table (rows: models), the base classifier's clean accuracy, the
   abstentions and images per second on this device. --figure FILE.png draws the curves.
2. ART: ART's ``PyTorchRandomizedSmoothing.certify`` (its CERTIFY, the same n0 / n / alpha / sigma)
   on the first --art-images of those digits, against this project's CERTIFY with the seed of
   step 1 and with another seed: the radii differ only by Monte Carlo noise if the two agree, so
   |ours - ART| should be of the size of |ours - ours with another seed|. ART draws its noise from
   numpy's global generator (seeded here) and bounds pA with statsmodels' Clopper-Pearson
   (``pip install adversarial-robustness-toolbox statsmodels``); skipped if either is missing.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

import numpy as np
import torch

from inspector.core.certify.settings import Smoothing
from inspector.core.evaluation.certified import CertificationResult, certify_samples
from inspector.core.evaluation.certified_plot import certified_plot
from inspector.core.evaluation.data import load_dataset
from inspector.core.models.loading import load_model
from inspector.core.models.zoo.mnist_cnn import SMOOTHING_SIGMA


def curve_table(results: dict[str, CertificationResult]) -> None:
    radii = sorted({r for result in results.values() for r in result.default_radii()})
    print("| model | sigma | clean (base) | abstained | " + " | ".join(f"r = {r:g}" for r in radii) + " | images/s |")
    print("|---|---|---|---|" + "---|" * len(radii) + "---|")
    for name, result in results.items():
        cells = " | ".join(f"{row['accuracy']:.1%}" for row in result.curve(radii))
        print(
            f"| {name} | {result.smoothing.sigma:g} | {result.clean_accuracy:.1%} | {result.abstentions} | {cells} "
            f"| {len(result.images) / result.seconds:.2f} |",
            flush=True,
        )


def art_radii(model, x: torch.Tensor, s: Smoothing, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """ART's CERTIFY on x (N, 1, 28, 28): its classes (-1: abstain), radii and seconds."""
    from art.estimators.certification.randomized_smoothing import PyTorchRandomizedSmoothing

    art = PyTorchRandomizedSmoothing(
        model=model.net,
        loss=torch.nn.CrossEntropyLoss(),
        input_shape=(1, 28, 28),
        nb_classes=10,
        sample_size=s.n0,
        scale=s.sigma,
        alpha=s.alpha,
        device_type="gpu" if model.device.type == "cuda" else "cpu",
    )
    np.random.seed(seed)
    start = time.perf_counter()
    labels, radii = art.certify(x.cpu().numpy(), n=s.n, batch_size=s.batch_size)
    return labels, radii, time.perf_counter() - start


def compare_with_art(name: str, result: CertificationResult, samples, model, images: int) -> None:
    try:
        import art  # noqa: F401
        import statsmodels  # noqa: F401
    except ImportError as exc:
        print(f"ART comparison skipped: {exc}")
        return
    chosen = samples[:images]
    x = torch.cat([sample.load(model) for sample in chosen])
    ours = result.images[:images]
    other = certify_samples(model, chosen, replace(result.smoothing, seed=result.smoothing.seed + 1))
    labels, radii, seconds = art_radii(model, x, result.smoothing, seed=result.smoothing.seed)
    ours_r = np.array([i.radius for i in ours])
    other_r = np.array([i.radius for i in other.images])
    same_class = sum((-1 if i.predicted is None else i.predicted) == int(a) for i, a in zip(ours, labels, strict=True))
    print(
        f"| {name} | {images} | {same_class}/{images} | {np.abs(ours_r - radii).mean():.4f} | "
        f"{np.abs(ours_r - radii).max():.4f} | {np.abs(ours_r - other_r).mean():.4f} | "
        f"{np.abs(ours_r - other_r).max():.4f} | {ours_r.mean():.4f} | {radii.mean():.4f} | "
        f"{images / sum(i.seconds for i in ours):.2f} | {images / seconds:.2f} |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(SMOOTHING_SIGMA))
    parser.add_argument("--images", type=int, default=100)
    parser.add_argument("--n0", type=int, default=100)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--alpha", type=float, default=0.001)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--art-images", type=int, default=20, help="digits certified by ART too (0: none)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--figure", help="write the curves to this PNG")
    args = parser.parse_args()
    results, samples, models = {}, {}, {}
    print(
        f"CERTIFY on the first {args.images} held-out digits (mnist-heldout), n0 {args.n0}, n {args.n}, "
        f"alpha {args.alpha:g}, batch {args.batch_size}, device {args.device}, torch threads {torch.get_num_threads()}\n"
    )
    for name in args.models:
        models[name] = load_model(name, args.device)
        samples[name] = load_dataset("mnist-heldout", models[name], args.images)
        smoothing = Smoothing(
            sigma=SMOOTHING_SIGMA[name], n0=args.n0, n=args.n, alpha=args.alpha, batch_size=args.batch_size
        )
        results[name] = certify_samples(models[name], samples[name], smoothing, data="mnist-heldout")
    curve_table(results)
    if args.figure:
        certified_plot({f"{name}, sigma {r.smoothing.sigma:g}": r for name, r in results.items()}).save(args.figure)
        print(f"\nfigure: {args.figure}")
    if args.art_images:
        print(
            "\n| model | images | same class | mean abs(ours - ART) | max | mean abs(ours - ours, seed + 1) | max "
            "| mean radius, ours | mean radius, ART | images/s, ours | images/s, ART |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for name in args.models:
            compare_with_art(name, results[name], samples[name], models[name], min(args.art_images, args.images))


if __name__ == "__main__":
    main()
