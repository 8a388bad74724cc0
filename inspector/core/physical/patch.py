"""Adversarial patches (Brown, Mane, Roy, Abadi and Gilmer 2017, "Adversarial Patch",
arXiv:1712.09665): a targeted, printable square that makes a scene read as the target wherever it
is put.

The patch's colours p are optimised, as an RP2 sticker's are (:mod:`inspector.core.physical.rp2`:
Adam on sigmoid logits, the printer's palette in the forward pass, the non-printability score),
but pasted at a random position, rotation and scale in each image of the folder
(:func:`~inspector.core.physical.placement.place`) before the random views:

    minimise  E_i E_place E_T [ CE(f(T(place(p, x_i))), target) ] + lambda * NPS(p)
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.physical.attack import PhysicalAttack, register
from inspector.core.util.params import MAX_SEED, param


@register
@dataclass
class Patch(PhysicalAttack):
    """An adversarial patch: a square of ``area`` of the image, placed anywhere, over random views.

    Cost per step: one forward and backward pass of ``len(x) * views`` images (and a forward pass of
    as many every :data:`~inspector.core.physical.sticker.CHECK_EVERY` steps).
    """

    name = "patch"
    title = "Adversarial patch"
    paper = "Brown, Mane, Roy, Abadi and Gilmer 2017, Adversarial Patch, arXiv:1712.09665"
    needs_mask = False

    steps: int = param(200, "optimisation steps", minimum=1, maximum=100000)
    views: int = param(8, "random placements and views of each image per step", minimum=1, maximum=1000)
    lr: float = param(0.3, "Adam learning rate on the colours' logits", above=0.0, maximum=10.0)
    nps_weight: float = param(0.05, "weight lambda of the non-printability score", minimum=0.0, maximum=100.0)
    area: float = param(0.1, "the square patch's share of the image", above=0.0, maximum=0.5)
    seed: int = param(0, "seed of the initial colours, the placements and the views", minimum=0, maximum=MAX_SEED)

    def run(self, model, x, y, *, target=None, mask=None, views=None, on_step=None, should_stop=None):
        from inspector.core.physical.sticker import optimise_sticker

        return optimise_sticker(
            self, model, x, y, placed=True, target=target, views=views, on_step=on_step, should_stop=should_stop
        )
