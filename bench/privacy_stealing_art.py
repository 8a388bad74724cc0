"""ART's own extraction attacks on our victim, for comparison with bench/privacy_stealing.py.

ART 1.20.1's CopycatCNN (label-only) and KnockoffNets (random, probabilities)
steal mnist-standard with the same pool (the 8,000 unlabelled member digits)
and the same copy architecture (the MNIST CNN, Adam at 1e-3), with ART's
defaults as its MNIST demonstration sets them: 10 epochs, batches of 64, no
augmentation, a fresh copy per budget. Agreement and accuracy on the 2,000
held-out digits with Wilson 95 % intervals. Needs the `test` extra (ART).

    PYTHONPATH=. OMP_NUM_THREADS=1 python bench/privacy_stealing_art.py [--budgets 250,1000] [--epochs 10]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from art.attacks.extraction import CopycatCNN, KnockoffNets
from art.estimators.classification import PyTorchClassifier

from inspector.core.models.loading import load_model
from inspector.core.models.zoo.mnist_cnn import MnistCNN
from inspector.core.privacy.data import held_out, query_pool
from inspector.core.privacy.fidelity import agreement_and_accuracy, predictions


def art_classifier(net: torch.nn.Module, optimizer=None) -> PyTorchClassifier:
    return PyTorchClassifier(
        model=net,
        loss=torch.nn.CrossEntropyLoss(),
        optimizer=optimizer,
        input_shape=(1, 28, 28),
        nb_classes=10,
        clip_values=(0.0, 1.0),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--budgets", default="250,1000")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--only", choices=("copycat", "knockoff"), help="run one of the two attacks")
    args = parser.parse_args()
    torch.set_num_threads(1)
    victim = load_model("mnist-standard", "cpu")
    answers = torch.nn.Sequential(victim, torch.nn.Softmax(dim=1))  # ART's predict returns what the model does
    pool = query_pool("members").numpy()
    x_test, y_test = held_out()
    victim_pred = predictions(victim, x_test)
    attacks = (
        (
            "ART CopycatCNN, labels only",
            lambda n, v: CopycatCNN(v, batch_size_fit=64, batch_size_query=64, nb_epochs=args.epochs, nb_stolen=n),
        ),
        (
            "ART KnockoffNets random, probabilities",
            lambda n, v: KnockoffNets(
                v,
                batch_size_fit=64,
                batch_size_query=64,
                nb_epochs=args.epochs,
                nb_stolen=n,
                sampling_strategy="random",
                use_probability=True,
            ),
        ),
    )
    for name, make in attacks:
        if args.only is not None and args.only not in name.lower():
            continue
        for budget in (int(b) for b in args.budgets.split(",")):
            torch.manual_seed(0)
            np.random.seed(0)
            net = MnistCNN()
            thief = art_classifier(net, torch.optim.Adam(net.parameters(), lr=1e-3))
            start = time.perf_counter()
            make(budget, art_classifier(answers)).extract(pool, thieved_classifier=thief)
            rates = agreement_and_accuracy(predictions(net, x_test), victim_pred, y_test)
            cells = "  ".join(f"{k} {r['rate']:.1%} [{r['low']:.1%}, {r['high']:.1%}]" for k, r in rates.items())
            print(
                f"{name}, {budget} queries, {args.epochs} epochs: {cells}  ({time.perf_counter() - start:.0f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
