"""RP2 stickers: Robust Physical Perturbations (Eykholt, Evtimov, Fernandes, Li, Rahmati, Xiao,
Prakash, Kohno and Song 2018, "Robust Physical-World Attacks on Deep Learning Visual
Classification", CVPR, arXiv:1707.08945).

The sticker's colours s (inside the mask M) are optimised so that the images x_i, with the sticker
on them and seen through random views T (expectation over transformation), read as the target:

    minimise  E_i E_T [ loss(f(T((1 - M) x_i + M snap(s)))) ] + lambda * NPS(s)

with loss = cross-entropy to the target (targeted) or -log(1 - p_y) (untargeted), NPS the
non-printability score and snap the printer's palette in the forward pass (straight-through in
the backward pass). The sticker replaces the surface it covers, as a printed sticker does; RP2's
additive perturbation within the mask is the same thing with the colours clipped to [0, 1].
s = sigmoid(w) keeps the colours in [0, 1]; w follows Adam (Kingma and Ba 2015).
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.physical.attack import PhysicalAttack, register
from inspector.core.util.params import MAX_SEED, param

#: The shapes a sticker takes when no mask is given (:func:`~inspector.core.physical.masks.shape_mask`).
SHAPES = ("bars", "block")


@register
@dataclass
class RP2(PhysicalAttack):
    """An RP2 sticker inside a mask, optimised over random views of the images it is made on.

    Cost per step: one forward and backward pass of ``len(x) * views`` images; every
    :data:`~inspector.core.physical.sticker.CHECK_EVERY` steps a forward pass of as many to judge
    the best sticker so far.
    """

    name = "rp2"
    title = "RP2 sticker"
    paper = (
        "Eykholt, Evtimov, Fernandes, Li, Rahmati, Xiao, Prakash, Kohno and Song 2018, Robust "
        "Physical-World Attacks on Deep Learning Visual Classification, arXiv:1707.08945"
    )

    steps: int = param(200, "optimisation steps", minimum=1, maximum=100000)
    views: int = param(8, "random views of each image per step (the EOT sample)", minimum=1, maximum=1000)
    lr: float = param(0.3, "Adam learning rate on the colours' logits", above=0.0, maximum=10.0)
    nps_weight: float = param(0.05, "weight lambda of the non-printability score", minimum=0.0, maximum=100.0)
    area: float = param(0.05, "the sticker's share of the image, when no mask is given", above=0.0, maximum=0.5)
    shape: str = param(
        "bars",
        "the sticker's shape when no mask is given: the paper's two bars, or one block in the middle",
        choices=SHAPES,
    )
    seed: int = param(0, "seed of the initial colours and the views", minimum=0, maximum=MAX_SEED)

    def run(self, model, x, y, *, target=None, mask=None, views=None, on_step=None, should_stop=None):
        from inspector.core.physical.sticker import optimise_sticker

        return optimise_sticker(
            self, model, x, y, target=target, mask=mask, views=views, on_step=on_step, should_stop=should_stop
        )
