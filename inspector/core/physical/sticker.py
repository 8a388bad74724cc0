"""The optimisation loop of a printed pattern: an RP2 sticker at a fixed place in the mask (see
:mod:`inspector.core.physical.rp2`), or an adversarial patch placed anywhere at random (see
:mod:`inspector.core.physical.patch`)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from inspector.core.attacks.base import Step
from inspector.core.io.image import quantize
from inspector.core.physical.masks import check_mask, shape_mask, square_mask
from inspector.core.physical.placement import place
from inspector.core.physical.printing import non_printability, snap, snap_straight_through
from inspector.core.physical.result import PhysicalResult, fingerprints
from inspector.core.physical.views import Views

#: The best sticker so far is judged on fixed views every this many steps (and at the end).
CHECK_EVERY = 10


def optimise_sticker(
    attack, model, x, y, *, placed=False, target=None, mask=None, views=None, on_step=None, should_stop=None
):
    """Run the RP2 or patch ``attack`` (its parameters: steps, views, lr, nps_weight, area, seed; RP2's shape) as
    :meth:`PhysicalAttack.run` describes. ``placed``: a patch, pasted at a random place in each view
    (:func:`~inspector.core.physical.placement.place`), its mask a centred square of ``area``.

    Raises:
        ParameterError: an empty mask or one covering the whole image; bars, a block or a square
            that cannot cover ``area``.
    """
    views = views or Views()
    if mask is None:
        size = tuple(x.shape[-2:])
        mask = square_mask(size, attack.area) if placed else shape_mask(attack.shape, size, attack.area)
    check_mask(mask)
    mask = mask.to(x)
    x = quantize(x.detach())
    generator = torch.Generator().manual_seed(attack.seed)
    logit = (0.5 * torch.randn(x.shape[1:], generator=generator)).to(x).requires_grad_(True)
    optimiser = torch.optim.Adam([logit], lr=attack.lr)
    repeated, labels = x.repeat(attack.views, 1, 1, 1), y.repeat(attack.views)

    def stick(colours: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        """The images, repeated, with the pattern (C, H, W) on them, seen in random views."""
        stuck = place(colours, mask, repeated, generator) if placed else repeated * (1 - mask) + colours * mask
        return views.sample(stuck, generator)

    def judge(colours: torch.Tensor) -> float:
        """The (printable) pattern's success rate on the same views each time (their own generator)."""
        with torch.no_grad():
            logits = model(stick(colours, torch.Generator().manual_seed(attack.seed + 1)))
            return float(_success(logits, labels, target).float().mean())

    best, iterations, cancelled = _printable(torch.sigmoid(logit.detach())), 0, False
    best_rate = judge(best)
    for i in range(attack.steps):
        if should_stop is not None and should_stop():
            cancelled = True
            break
        if i > 0 and i % CHECK_EVERY == 0:
            best, best_rate = _better(best, best_rate, torch.sigmoid(logit.detach()), judge)
        colours = torch.sigmoid(logit)
        seen = stick(snap_straight_through(colours.unsqueeze(0))[0], generator)
        logits = model(seen)
        per_view = _loss(logits, labels, target)
        objective = per_view.mean() + attack.nps_weight * non_printability(colours.unsqueeze(0), mask).mean()
        optimiser.zero_grad()
        objective.backward()
        optimiser.step()
        iterations = i + 1
        with torch.no_grad():
            success = _success(logits, labels, target).view(attack.views, -1)
            if on_step is not None:
                n = x.shape[0]
                on_step(
                    Step(
                        iterations,
                        attack.steps,
                        per_view.detach().view(attack.views, n).mean(0),
                        logits.softmax(1).view(attack.views, n, -1).mean(0),
                        seen[:n].detach(),
                        success.float().mean(0) > 0.5,
                    )
                )
    if iterations > 0:
        best, best_rate = _better(best, best_rate, torch.sigmoid(logit.detach()), judge)
    return PhysicalResult(
        pattern=best,
        mask=mask,
        additive=False,
        made_on=fingerprints(x),
        iterations=iterations,
        cancelled=cancelled,
        train_success=best_rate,
        target=target,
        placed=placed,
    )


def _better(best: torch.Tensor, best_rate: float, colours: torch.Tensor, judge) -> tuple[torch.Tensor, float]:
    """The better of the best sticker so far and ``colours`` (printed, 8-bit) by ``judge``; ties go to the newer."""
    candidate = _printable(colours)
    rate = judge(candidate)
    return (candidate, rate) if rate >= best_rate else (best, best_rate)


def _printable(colours: torch.Tensor) -> torch.Tensor:
    """(C, H, W) colours as the sticker is saved: each the nearest printable colour, in 8 bits."""
    return quantize(snap(colours.unsqueeze(0))[0])


def _loss(logits: torch.Tensor, y: torch.Tensor, target: int | None) -> torch.Tensor:
    """(M,) to minimise: cross-entropy to ``target``, or -log(1 - p_y) untargeted."""
    if target is not None:
        return F.cross_entropy(logits, torch.full_like(y, target), reduction="none")
    p_true = logits.softmax(1).gather(1, y.view(-1, 1))[:, 0]
    return -torch.log1p(-p_true.clamp(max=1 - 1e-6))


def _success(logits: torch.Tensor, y: torch.Tensor, target: int | None) -> torch.Tensor:
    """(M,) bool: the view reads as ``target``, or (untargeted) not as its true class."""
    predicted = logits.argmax(1)
    return predicted == target if target is not None else predicted != y
