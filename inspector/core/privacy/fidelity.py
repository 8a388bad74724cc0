"""How good a stolen copy is: agreement with the victim, accuracy, and transfer of attacks made on it.

Agreement (fidelity, Jagielski et al. 2020, arXiv:1909.01838) is the fraction
of digits on which the copy's top-1 equals the victim's; accuracy is the
fraction it gets right. The transfer success rate is the fraction of digits,
among those the victim classifies correctly, whose PGD adversarial made on the
copy alone (Madry et al. 2018, arXiv:1706.06083; quantised to 8 bits) the
victim then misclassifies: the copy used as a surrogate for a black-box
evasion attack (Papernot et al. 2017, arXiv:1602.02697). Each rate carries its
Wilson 95 % interval over the digits, which reflects the test digits, not the
randomness of training.
"""

from __future__ import annotations

import copy

import torch
from torch import nn

from inspector.core.attacks.pgd import PGD
from inspector.core.evaluation.stats import wilson_interval
from inspector.core.models.classifier import Classifier


def rate(successes: int, n: int) -> dict:
    """``{"rate", "low", "high", "n"}``: a proportion with its Wilson 95 % interval."""
    low, high = wilson_interval(successes, n)
    return {"rate": successes / n if n else float("nan"), "low": low, "high": high, "n": n}


def predictions(net: nn.Module, x: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """Top-1 of ``net`` on x (N, C, H, W) in [0, 1]: (N,) long, computed in eval mode without gradients."""
    net.eval()
    with torch.no_grad():
        return torch.cat([net(x[i : i + batch_size]).argmax(1) for i in range(0, len(x), batch_size)])


def agreement_and_accuracy(copy_pred: torch.Tensor, victim_pred: torch.Tensor, y: torch.Tensor) -> dict:
    """``{"agreement": rate, "accuracy": rate}`` (see :func:`rate`) of the copy's top-1 (N,)."""
    return {
        "agreement": rate(int((copy_pred == victim_pred).sum()), len(y)),
        "accuracy": rate(int((copy_pred == y).sum()), len(y)),
    }


def transfer_success(
    copy_net: nn.Module,
    victim: nn.Module,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    eps: float = 0.3,
    steps: int = 10,
    seed: int = 0,
) -> dict:
    """PGD (Linf ``eps``, ``steps`` steps of 2.5 eps / steps, random start) made on the copy, judged by the victim.

    x (N, 1, 28, 28) in [0, 1] and y (N,): digits the victim classifies correctly.
    Returns ``{"transfer": rate, "white_box": rate}``: the victim fooled by the copy's
    adversarials, and the copy fooled by its own.
    """
    surrogate = Classifier(
        copy.deepcopy(copy_net).eval(),
        name="copy",
        input_size=(28, 28),
        channels=1,
        class_names=tuple(str(i) for i in range(10)),
    )
    attack = PGD(eps=eps, step_size=min(eps, 2.5 * eps / steps), steps=steps, random_start=True, seed=seed)
    x_adv = torch.cat([attack.run(surrogate, x[i : i + 250], y[i : i + 250]).x_adv for i in range(0, len(x), 250)])
    fooled_victim = predictions(victim, x_adv) != y
    fooled_copy = predictions(surrogate, x_adv) != y
    return {"transfer": rate(int(fooled_victim.sum()), len(y)), "white_box": rate(int(fooled_copy.sum()), len(y))}
