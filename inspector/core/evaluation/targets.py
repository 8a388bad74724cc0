"""Targeted evaluation: the class each image's attack aims at, and the success per target class.

Two ways to choose the target, both fixed by the image alone (so a resumed or distributed run
aims every image at the same class):

* ``random``: a class other than the true one, uniform, drawn from a generator seeded with the
  image's index in the data set (Carlini and Wagner 2017, arXiv:1608.04644, section 6);
* ``least-likely``: the class the model finds least likely on the clean image, the true one
  excepted (the iterative least-likely class method, Kurakin et al. 2017, arXiv:1607.02533).

An image reaches its target when the adversarial is read as that class (a minimal-norm attack's:
within the budget). Robust accuracy keeps its meaning (any misclassification fools the model).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch

from inspector.core.evaluation.stats import wilson_interval
from inspector.core.util.errors import ParameterError

TARGETS = ("random", "least-likely")
#: Attacks that cannot run targeted in an evaluation (HopSkipJump needs a starting image of the target class).
UNTARGETED_ONLY = ("hopskipjump",)


def check_target(target: str | None, attacks: Sequence[str]) -> None:
    """Raises ParameterError for a target mode not in TARGETS, or an attack that cannot aim at a class."""
    if target is None:
        return
    if target not in TARGETS:
        raise ParameterError(f"--target must be one of {', '.join(TARGETS)}, not {target!r}")
    for name in attacks:
        if name in UNTARGETED_ONLY:
            raise ParameterError(f"{name} cannot run targeted in an evaluation; drop --target or the attack")


def choose_targets(target: str, model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, index: Sequence[int]):
    """(N,) int64 target classes, never the true one, for images ``x`` (N, C, H, W) in [0, 1] with
    labels ``y`` (N,) at positions ``index`` of the data set; ``model`` gives (N, K) logits."""
    with torch.no_grad():
        logits = model(x)
    classes = logits.shape[1]
    if target == "least-likely":
        return logits.scatter(1, y[:, None], math.inf).argmin(1)
    shift = [int(torch.randint(1, classes, (1,), generator=torch.Generator().manual_seed(int(i)))) for i in index]
    return (y + torch.tensor(shift, device=y.device)) % classes


def success_per_target(setting: str, attack: str, eps: float, verdicts: dict) -> list[dict]:
    """Rows ``{setting, attack, eps, target, n, reached, rate, ci}``, one per target class aimed at, by
    class: of the ``n`` images classified correctly and aimed at ``target``, ``reached`` were read as
    it within the budget (the verdict not robust); ``ci`` the Wilson 95 % interval. ``verdicts``:
    image -> (robust, correct, record) as :mod:`inspector.core.evaluation.result` builds them."""
    aimed: dict[int, list[int]] = {}
    for robust, correct, record in verdicts.values():
        if not correct or record is None or "target" not in record:
            continue
        hit = not robust and record["pred"] == record["target"]
        aimed.setdefault(record["target"], [0, 0])
        aimed[record["target"]][0] += 1
        aimed[record["target"]][1] += hit
    return [
        {
            "setting": setting,
            "attack": attack,
            "eps": eps,
            "target": t,
            "n": n,
            "reached": k,
            "rate": k / n,
            "ci": list(wilson_interval(k, n)),
        }
        for t, (n, k) in sorted(aimed.items())
    ]
