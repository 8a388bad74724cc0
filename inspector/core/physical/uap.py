"""Universal adversarial perturbations (Moosavi-Dezfooli, Fawzi, Fawzi and Frossard 2017,
"Universal adversarial perturbations", CVPR, arXiv:1610.08401).

One perturbation v, within an Linf or L2 ball of radius eps, for every image of a set. The
paper's Algorithm 1: visit the images in turn; where x_i + v still reads as x_i does, find the
smallest change dv_i that moves x_i + v across the nearest decision boundary (DeepFool,
Moosavi-Dezfooli, Fawzi and Frossard 2016, arXiv:1511.04599, in the same norm) and project
v + dv_i back onto the ball. Passes repeat until the fooling rate on the set reaches
``fooling_goal`` or ``passes`` are done. The fooling rate is the share of images whose predicted
class changes; only one measured on other images (``evaluate_physical`` with ``views=None``) says
how universal v is.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.physical.attack import PhysicalAttack, register
from inspector.core.util.errors import ParameterError
from inspector.core.util.params import MAX_SEED, param


@register
@dataclass
class UAP(PhysicalAttack):
    """A universal adversarial perturbation of norm at most ``eps``, untargeted.

    Cost: per pass, for each image not yet fooled, up to ``deepfool_steps`` gradient evaluations
    of :data:`~inspector.core.physical.universal.CANDIDATES` logits; one forward pass of the whole
    set per pass to measure it.
    """

    name = "uap"
    title = "Universal adversarial perturbation"
    paper = "Moosavi-Dezfooli, Fawzi, Fawzi and Frossard 2017, Universal adversarial perturbations, arXiv:1610.08401"
    needs_mask = False
    targeted = False
    min_images = 2
    printable = False

    eps: float = param(10 / 255, "radius of the ball, [0, 1] pixel units (linf: at most 0.49)", above=0.0, unit="pixel")
    norm: str = param("linf", "distance: linf or l2", choices=("linf", "l2"))
    passes: int = param(5, "passes over the images at most", minimum=1, maximum=1000)
    fooling_goal: float = param(0.8, "stop once this share of the images is fooled", above=0.0, maximum=1.0)
    deepfool_steps: int = param(10, "DeepFool iterations per image visit", minimum=1, maximum=1000)
    overshoot: float = param(0.02, "DeepFool's overshoot past the boundary", minimum=0.0, maximum=1.0)
    seed: int = param(0, "seed of the order the images are visited in", minimum=0, maximum=MAX_SEED)

    def __post_init__(self):
        if self.norm == "linf" and self.eps > 0.49:
            detail = f"{self.eps:g} is above 0.49 for norm linf"
            raise ParameterError(f"uap: eps {detail}", param="eps", detail=detail)

    def run(self, model, x, y, *, target=None, mask=None, views=None, on_step=None, should_stop=None):
        from inspector.core.physical.universal import make_universal

        return make_universal(self, model, x, y, target=target, on_step=on_step, should_stop=should_stop)
