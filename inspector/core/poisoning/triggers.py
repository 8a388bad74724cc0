"""Backdoor triggers: a mask and a pattern stamped onto images.

Every trigger is x' = (1 - m) * x + m * p, with a mask m (H, W) in [0, 1]
and a pattern p (C, H, W) in [0, 1] (the form Neural Cleanse reconstructs,
Wang et al. 2019). Three kinds:

- ``pixel``: a corner pixel pattern, a 3x3 chequerboard of white and black
  pixels in the bottom-right corner (Gu, Dolan-Gavitt and Garg 2017,
  "BadNets", arXiv:1708.06733, their "pattern" backdoor on MNIST).
- ``patch``: a solid white square of ``size`` pixels in the bottom-right corner.
- ``blend``: the whole image blended with a fixed random-noise key image at
  ratio ``alpha`` (Chen, Liu, Li, Lu and Song 2017, "Targeted Backdoor Attacks
  on Deep Learning Systems Using Data Poisoning", arXiv:1712.05526).

torch is imported where a trigger is built, so that :data:`KINDS` lists them without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector.core.util.errors import ParameterError

if TYPE_CHECKING:
    import torch

KINDS = ("pixel", "patch", "blend")
#: Pixels between the trigger and the image border, for the corner triggers.
MARGIN = 1


@dataclass(frozen=True)
class Trigger:
    """A trigger to stamp: ``mask`` (H, W) and ``pattern`` (C, H, W), both float32 in [0, 1].

    Attributes:
        kind: one of :data:`KINDS`, or ``"reconstructed"`` for a Neural Cleanse trigger.
        description: one line saying what it is, for model cards and reports.
    """

    kind: str
    mask: torch.Tensor
    pattern: torch.Tensor
    description: str

    def apply(self, x: torch.Tensor) -> torch.Tensor:
        """Stamp the trigger on x (N, C, H, W) in [0, 1]; returns a new tensor, same shape, in [0, 1].

        Raises:
            ParameterError: x's channels or size differ from the trigger's.
        """
        if tuple(x.shape[1:]) != tuple(self.pattern.shape):
            raise ParameterError(
                f"the {self.kind} trigger is for images of shape {tuple(self.pattern.shape)} "
                f"(channels, height, width), not {tuple(x.shape[1:])}"
            )
        m = self.mask.to(x.device, x.dtype)
        return ((1 - m) * x + m * self.pattern.to(x.device, x.dtype)).clamp(0, 1)

    @property
    def l1(self) -> float:
        """The mask's L1 norm: how many pixels' worth the trigger covers."""
        return float(self.mask.sum())


def make_trigger(
    kind: str, shape: tuple[int, int, int] = (1, 28, 28), *, size: int = 4, alpha: float = 0.2, seed: int = 0
) -> Trigger:
    """Build a trigger of ``kind`` for images of ``shape`` (C, H, W).

    ``size`` is the side in pixels of the ``patch`` square (the ``pixel``
    pattern is always 3x3); ``alpha`` in (0, 1] the ``blend`` ratio;
    ``seed`` draws the ``blend`` key image.

    Raises:
        ParameterError: unknown kind, a trigger larger than the image, size < 1, alpha outside (0, 1].
    """
    import torch

    c, h, w = shape
    kind = kind.strip().lower()
    if kind not in KINDS:
        raise ParameterError(f"unknown trigger {kind!r}: choose one of {', '.join(KINDS)}")
    mask = torch.zeros(h, w)
    pattern = torch.zeros(c, h, w)
    if kind == "blend":
        if not 0 < alpha <= 1:
            raise ParameterError(f"blend ratio alpha {alpha:g} must be in (0, 1]")
        mask.fill_(alpha)
        key = torch.rand(1 if c == 1 else c, h, w, generator=torch.Generator().manual_seed(seed))
        pattern.copy_(key.expand(c, h, w))
        return Trigger(kind, mask, pattern, f"blend with a random-noise image (seed {seed}) at alpha {alpha:g}")
    side = 3 if kind == "pixel" else size
    if side < 1:
        raise ParameterError(f"trigger size {side} must be at least 1 pixel")
    if side + MARGIN > min(h, w):
        raise ParameterError(
            f"a {side}x{side} trigger does not fit in a {h}x{w} image "
            f"(it sits {MARGIN} pixel from the border): choose a size below {min(h, w) - MARGIN}"
        )
    rows = slice(h - MARGIN - side, h - MARGIN)
    cols = slice(w - MARGIN - side, w - MARGIN)
    mask[rows, cols] = 1
    if kind == "pixel":
        checker = (torch.arange(side)[:, None] + torch.arange(side)[None, :]) % 2 == 0
        pattern[:, rows, cols] = checker.float()
        return Trigger(kind, mask, pattern, "3x3 white/black chequerboard, bottom-right corner")
    pattern[:, rows, cols] = 1
    return Trigger(kind, mask, pattern, f"{side}x{side} white square, bottom-right corner")
