"""JSMA against ART's SaliencyMapMethod, and L-BFGS alone (no reference has it), on MNIST digits.

For JSMA (both of our outputs, logits = the paper's JSMA-Z and probabilities =
JSMA-F) prints wall time of ours and of ART at the same theta, gamma and
targets ((y + 1) mod 10), their ratio (ours / reference), the success rates
and the median L0 of the successes, read on the 8-bit images. For L-BFGS
(untargeted) prints time, success and median L2, beside our DeepFool and C&W
for scale. Needs the ``reference`` extra.

    PYTHONPATH=. python bench/minimal_vs_reference.py [--digits 100] [--model mnist-standard]
"""

from __future__ import annotations

import argparse
import time
from functools import partial
from pathlib import Path

import torch
from art.attacks.evasion import SaliencyMapMethod
from art.estimators.classification import PyTorchClassifier

from inspector.core.attacks import make_attack
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.io.image import quantize
from inspector.core.models.loading import load_model
from inspector.core.util.metrics import perturbation_norms

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def median_of(values, keep) -> float:
    kept = torch.tensor(values, dtype=torch.float)[keep]
    return float(kept.median()) if kept.numel() else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digits", type=int, default=100)
    parser.add_argument("--lbfgs-digits", type=int, default=20)
    parser.add_argument("--model", default="mnist-standard")
    args = parser.parse_args()
    model = load_model(args.model, "cpu")
    x, y = mnist_split(DATA / "mnist")["held_out"]
    x, y = x[: 2 * args.digits], y[: 2 * args.digits]
    with torch.no_grad():
        ok = model(x).argmax(1) == y
    x, y = x[ok][: args.digits], y[ok][: args.digits]
    target = (y + 1) % 10
    print(f"{args.model}, torch threads {torch.get_num_threads()}, {len(y)} correctly classified digits")

    classifier = PyTorchClassifier(
        model, loss=torch.nn.CrossEntropyLoss(), input_shape=(1, 28, 28), nb_classes=10, clip_values=(0.0, 1.0)
    )
    reference = SaliencyMapMethod(classifier, theta=1.0, gamma=0.145, batch_size=len(y), verbose=False)
    theirs, t_ref = timed(lambda: quantize(torch.from_numpy(reference.generate(x.numpy(), y=target.numpy()))))
    with torch.no_grad():
        their_success = model(theirs).argmax(1) == target
    l0_ref = median_of(perturbation_norms(x, theirs)["l0"], their_success)
    for output in ("logits", "probabilities"):
        attack = make_attack("jsma", {"theta": 1.0, "gamma": 0.145, "output": output})
        ours, t_ours = timed(partial(attack.run, model, x, y, target=target))
        l0 = median_of(perturbation_norms(x, ours.x_adv)["l0"], ours.success)
        print(
            f"jsma {output:13s} ours {t_ours:6.2f} s  ART {t_ref:6.2f} s  ratio {t_ours / t_ref:5.2f}  "
            f"success {ours.success.float().mean():.2f} vs {their_success.float().mean():.2f}  "
            f"median L0 {l0:.0f} vs {l0_ref:.0f}"
        )

    xs, ys = x[: args.lbfgs_digits], y[: args.lbfgs_digits]
    for name, params in (
        ("lbfgs", {}),
        ("deepfool", {}),
        ("cw", {"binary_search_steps": 5, "steps": 100, "initial_const": 1.0, "learning_rate": 0.05}),
    ):
        result, t = timed(lambda name=name, params=params: make_attack(name, params).run(model, xs, ys))
        l2 = median_of(perturbation_norms(xs, result.x_adv)["l2"], result.success)
        print(
            f"{name:8s} untargeted, {len(ys)} digits: {t:6.2f} s  success {result.success.float().mean():.2f}  "
            f"median L2 {l2:.3f}  gradient evaluations {result.gradient_evaluations}"
        )


if __name__ == "__main__":
    main()
