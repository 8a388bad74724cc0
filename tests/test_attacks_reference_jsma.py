"""JSMA against ART's SaliencyMapMethod (Nicolae et al. 2018, arXiv:1807.01069) on held-out
MNIST digits with the shipped mnist-standard model, at the same theta and gamma and the same
targets ((y + 1) mod 10). Criteria: success rate at most 2 points below ART's, median L0 of
the successes at most 1.1 times ART's, both read on the 8-bit images.

ART's method is a simplification of the paper's: it raises the two features with the largest
target-class gradient and ignores the other classes (beta). The comparison uses our default
``output="probabilities"`` (JSMA-F); the paper's logits (JSMA-Z) scored 76 % against ART's
92 % on 100 of these digits (bench/minimal_vs_reference.py prints both).

L-BFGS (Szegedy et al. 2014) has no reference here: neither foolbox 3.3.4 (foolbox 2 had
LBFGSAttack) nor ART 1.20.1 implements it, so it is not compared.
Needs foolbox and ART from the ``test`` extra (``pip install .[test]``); skipped without it.
"""

import pytest
import torch
from conftest import DATA

from inspector.core.attacks import make_attack
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.io.image import quantize
from inspector.core.models.loading import load_model
from inspector.core.util.metrics import perturbation_norms

art = pytest.importorskip("art", reason="adversarial-robustness-toolbox is not installed: pip install '.[test]'")

pytestmark = pytest.mark.slow


def test_jsma_matches_art_success_rate_and_l0():
    from art.attacks.evasion import SaliencyMapMethod
    from art.estimators.classification import PyTorchClassifier

    model = load_model("mnist-standard", "cpu")
    x, y = mnist_split(DATA / "mnist")["held_out"]
    x, y = x[:50], y[:50]
    with torch.no_grad():
        ok = model(x).argmax(1) == y
    x, y = x[ok][:40], y[ok][:40]
    target = (y + 1) % 10
    ours = make_attack("jsma", {"theta": 1.0, "gamma": 0.145, "output": "probabilities"}).run(
        model, x, y, target=target
    )
    classifier = PyTorchClassifier(
        model, loss=torch.nn.CrossEntropyLoss(), input_shape=(1, 28, 28), nb_classes=10, clip_values=(0.0, 1.0)
    )
    reference = SaliencyMapMethod(classifier, theta=1.0, gamma=0.145, batch_size=len(y), verbose=False)
    theirs = quantize(torch.from_numpy(reference.generate(x.numpy(), y=target.numpy())))
    with torch.no_grad():
        their_success = model(theirs).argmax(1) == target
    assert ours.success.float().mean() >= their_success.float().mean() - 0.02
    l0_ours = torch.tensor(perturbation_norms(x, ours.x_adv)["l0"], dtype=torch.float)[ours.success]
    l0_theirs = torch.tensor(perturbation_norms(x, theirs)["l0"], dtype=torch.float)[their_success]
    assert l0_ours.median() <= 1.1 * l0_theirs.median()
