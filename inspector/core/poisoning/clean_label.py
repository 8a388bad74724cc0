"""Clean-label backdoor (Turner, Tsipras and Madry 2019, "Label-Consistent
Backdoor Attacks", arXiv:1912.02771).

The poisoned images keep their true label, so a reviewer sees nothing wrong:
a fraction ``rate`` of the *target class* is first made hard to classify
with a PGD perturbation (Linf ``eps``) computed on a robust proxy model,
then stamped with the trigger. The network cannot fit those images from
their content, so it leans on the trigger, which at test time drags any
image to the target class. Turner et al. take the proxy's perturbation from
an adversarially trained model; here it is the shipped ``mnist-pgd-at``.
"""

from __future__ import annotations

import torch

from inspector.core.attacks.pgd import PGD
from inspector.core.errors import ParameterError
from inspector.core.poisoning.badnets import PoisonedSet, check_rate, check_target
from inspector.core.poisoning.triggers import Trigger


def clean_label(x: torch.Tensor, y: torch.Tensor, trigger: Trigger, target: int, rate: float, *,
                proxy: torch.nn.Module | None = None, eps: float = 0.3, steps: int = 20,
                num_classes: int = 10, seed: int = 0) -> PoisonedSet:
    """Poison round(rate * n_target) images of the target class; labels unchanged.

    x (N, C, H, W) in [0, 1], y (N,). ``proxy`` (default: built-in ``mnist-pgd-at``)
    gives the untargeted PGD perturbation (cross-entropy, ``steps`` steps of
    2.5 eps / steps, random start); the result is quantised to 8 bits, then stamped.

    Raises:
        ParameterError: rate outside (0, 1], target not a class, eps outside (0, 1].
    """
    check_rate(rate)
    check_target(target, num_classes)
    if not 0 < eps <= 1:
        raise ParameterError(f"clean-label perturbation eps {eps:g} must be in (0, 1]")
    if proxy is None:
        from inspector.core.models import load_model
        proxy = load_model("mnist-pgd-at")
    members = (y == target).nonzero().flatten()
    count = max(1, round(rate * len(members)))
    order = torch.randperm(len(members), generator=torch.Generator().manual_seed(seed))
    indices = members[order[:count]].sort().values
    attack = PGD(eps=eps, step_size=2.5 * eps / steps, steps=steps, random_start=True, seed=seed)
    hard = _perturb(attack, proxy, x[indices], y[indices])
    xp = x.clone()
    xp[indices] = trigger.apply((hard * 255).round() / 255)
    return PoisonedSet(xp, y.clone(), indices)


def _perturb(attack: PGD, proxy: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 100) -> torch.Tensor:
    """PGD adversarials of (x, y) on ``proxy``, in batches."""
    return torch.cat([attack.run(proxy, x[i:i + batch], y[i:i + batch]).x_adv for i in range(0, len(x), batch)])
