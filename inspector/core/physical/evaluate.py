"""The honest measure of a physical attack: its success on images it was not made on, over many
random views, wider than those it was optimised over, after printing and a camera.

For each held-out image, ``views_per_image`` views (at least 100 by default) are drawn from
``views`` (pass ``Views.wider()`` of the optimised distribution); a sticker's colours are first
snapped to the printable palette (:func:`~inspector.core.physical.printing.snap`), and every view
goes through the :class:`~inspector.core.physical.printing.Camera` (blur, noise, 8 bits, JPEG).
A view succeeds when it reads as the target (targeted) or not as its true class (untargeted).
The rate comes with its Wilson 95 % interval over all views (views of one image are not
independent, so the interval is optimistic when images differ much; it is exact per view).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.evaluation.stats import wilson_interval
from inspector.core.physical.printing import Camera, snap
from inspector.core.physical.result import PhysicalResult, fingerprints
from inspector.core.physical.views import Views
from inspector.core.util.errors import ParameterError

#: Views per held-out image by default.
VIEWS_PER_IMAGE = 100
#: Images per forward pass.
BATCH = 256


@dataclass
class PhysicalEvaluation:
    """Success over views of held-out images.

    Attributes:
        successes: successful views. n: views drawn (images x views per image).
        rate: successes / n. ci: the Wilson 95 % interval (low, high).
        per_image: (M,) the success rate of each held-out image's views.
    """

    successes: int
    n: int
    rate: float
    ci: tuple[float, float]
    per_image: list[float]

    def to_dict(self) -> dict:
        """Successes, views, rate and its interval's ``low`` and ``high``."""
        return {"successes": self.successes, "views": self.n, "rate": self.rate, "low": self.ci[0], "high": self.ci[1]}


def evaluate_physical(
    model: torch.nn.Module,
    result: PhysicalResult,
    held_out: torch.Tensor,
    labels: torch.Tensor,
    *,
    views: Views | None,
    views_per_image: int = VIEWS_PER_IMAGE,
    camera: Camera | None = None,
    seed: int = 0,
) -> PhysicalEvaluation:
    """The success of ``result`` on ``held_out`` (M, C, H, W) in [0, 1] with true ``labels`` (M,).

    ``views`` None measures the digital images (one view each, 8 bits, no print and no camera: a
    universal perturbation's fooling rate). The same ``seed`` draws the same views whatever the
    pattern, so two patterns (a sticker and a random one) are compared on the same views.

    Raises:
        ParameterError: no held-out image, a held-out image the pattern was made on (its 8-bit
            pixels equal one of ``result.made_on``), or ``views_per_image`` below 1.
    """
    if held_out.shape[0] == 0:
        raise ParameterError("no held-out image to evaluate on")
    if views_per_image < 1:
        raise ParameterError(f"views per image {views_per_image}: must be at least 1")
    reused = len(fingerprints(held_out) & result.made_on)
    if reused:
        raise ParameterError(
            f"{reused} of the {held_out.shape[0]} held-out images were used to make the pattern: "
            "they cannot measure it; evaluate on other images"
        )
    target = result.target
    if views is None:
        views_per_image = 1
    camera = camera or Camera()
    pattern = snap(result.pattern.unsqueeze(0))[0] if views is not None and not result.additive else None
    generator = torch.Generator().manual_seed(seed)
    counts = torch.zeros(held_out.shape[0], dtype=torch.long)
    with torch.no_grad():
        index = torch.arange(held_out.shape[0]).repeat(views_per_image)
        for start in range(0, index.numel(), BATCH):
            rows = index[start : start + BATCH]
            batch = result.apply(held_out[rows], pattern, generator)
            if views is not None:
                batch = camera.photograph(views.sample(batch, generator), generator)
            else:
                batch = (batch * 255).round() / 255
            predicted = model(batch).argmax(1).cpu()
            success = predicted == target if target is not None else predicted != labels[rows].cpu()
            counts.index_add_(0, rows, success.long())
    successes, n = int(counts.sum()), held_out.shape[0] * views_per_image
    return PhysicalEvaluation(
        successes=successes,
        n=n,
        rate=successes / n,
        ci=wilson_interval(successes, n),
        per_image=(counts.float() / views_per_image).tolist(),
    )


def random_sticker(result: PhysicalResult, seed: int = 0) -> PhysicalResult:
    """A sticker of uniformly random 8-bit colours in the same mask, made on the same images: the
    baseline a sticker must beat (any object covered by that much noise loses some views)."""
    generator = torch.Generator().manual_seed(seed)
    colours = torch.randint(0, 256, tuple(result.pattern.shape), generator=generator).float() / 255
    return PhysicalResult(
        pattern=colours.to(result.pattern),
        mask=result.mask,
        additive=result.additive,
        made_on=result.made_on,
        iterations=0,
        cancelled=False,
        train_success=0.0,
        target=result.target,
        placed=result.placed,
    )
