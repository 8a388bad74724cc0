"""Clean-label backdoor (Turner, Tsipras and Madry 2019, "Label-Consistent
Backdoor Attacks", arXiv:1912.02771).

The poisoned images keep their true label: a fraction ``rate`` of the
*target class* is first made hard to classify with an untargeted PGD
perturbation computed on a robust proxy model (here the shipped
``mnist-pgd-at``, as Turner et al. take theirs from an adversarially trained
model), then stamped with the trigger. The network cannot fit those images
from their content, so it leans on the trigger, which at test time drags any
image to the target class.

The strength of the perturbation decides the attack. Default: L2, eps 8
(pixel units, images in [0, 1]), 200 steps. On the 8,000 MNIST training
digits, target 0, 10 % of the 0s (77 digits), 4x4 patch, ``mnist-standard``'s
recipe (6 epochs): attack success on held-out digits 93 % with seed 0, 79 %
with seed 1 (82 % with 12 epochs), see bench/poisoning.py. ART's MNIST
example uses L2 eps 5 (64 % here); Linf 0.3, the proxy's own training
budget, leaves 91 % of the perturbed 0s still read as 0 by the proxy and
gives 19 %. At L2 eps 8 most poisoned 0s visibly show strokes of another
digit: the labels are the originals', but a reviewer looking at the images
would doubt them.
"""

from __future__ import annotations

import torch

from inspector.core.attacks.norms import NORMS
from inspector.core.attacks.pgd import PGD
from inspector.core.poisoning.attack import check_rate, check_target
from inspector.core.poisoning.badnets import PoisonedSet
from inspector.core.poisoning.triggers import Trigger
from inspector.core.util.errors import ParameterError


def clean_label(
    x: torch.Tensor,
    y: torch.Tensor,
    trigger: Trigger,
    target: int,
    rate: float,
    *,
    proxy: torch.nn.Module | None = None,
    norm: str,
    eps: float,
    steps: int = 200,
    num_classes: int = 10,
    seed: int = 0,
) -> PoisonedSet:
    """Poison round(rate * n_target) images of the target class; labels unchanged.

    x (N, C, H, W) in [0, 1], y (N,). ``proxy`` (default: built-in ``mnist-pgd-at``)
    gives the untargeted PGD perturbation (``norm`` ``l2`` or ``linf``, budget ``eps``
    in pixel units, cross-entropy, ``steps`` steps of 2.5 eps / steps, random start);
    the result is clipped to [0, 1], quantised to 8 bits, then stamped. The defaults of ``norm`` and
    ``eps`` are the registered attack's
    (:class:`~inspector.core.poisoning.attacks.clean_label.CleanLabel`, which resolves eps by norm).

    Raises:
        ParameterError: rate outside (0, 1], target not a class, unknown norm, eps outside
            (0, 1] for linf or (0, 28] for l2.
    """
    check_rate(rate)
    check_target(target, num_classes)
    if norm not in NORMS:
        raise ParameterError(f"unknown clean-label norm {norm!r}: choose one of {', '.join(NORMS)}")
    if not 0 < eps <= (1 if norm == "linf" else 28):
        raise ParameterError(f"clean-label perturbation eps {eps:g} must be in (0, {1 if norm == 'linf' else 28}]")
    if proxy is None:
        from inspector.core.models.loading import load_model

        proxy = load_model("mnist-pgd-at")
    members = (y == target).nonzero().flatten()
    count = max(1, round(rate * len(members)))
    order = torch.randperm(len(members), generator=torch.Generator().manual_seed(seed))
    indices = members[order[:count]].sort().values
    attack = PGD(eps=eps, norm=norm, step_size=2.5 * eps / steps, steps=steps, random_start=True, seed=seed)
    hard = _perturb(attack, proxy, x[indices], y[indices])
    xp = x.clone()
    xp[indices] = trigger.apply((hard * 255).round() / 255)
    return PoisonedSet(xp, y.clone(), indices)


def _perturb(attack: PGD, proxy: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 100) -> torch.Tensor:
    """PGD adversarials of (x, y) on ``proxy``, in batches."""
    return torch.cat([attack.run(proxy, x[i : i + batch], y[i : i + batch]).x_adv for i in range(0, len(x), batch)])
