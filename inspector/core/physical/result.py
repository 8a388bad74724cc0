"""The outcome of a physical attack: one pattern for many images, and the fingerprints of the
images it was made on."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import torch
from PIL import Image

from inspector.core.io.image import quantize

#: The grey level a universal perturbation's zero is stored as (mid-grey, a multiple of 1/255).
OFFSET = 128 / 255


@dataclass
class PhysicalResult:
    """One pattern made for many images.

    Attributes:
        pattern: (C, H, W) in [0, 1], multiples of 1/255: a sticker's colours (printable ones, for
            RP2: each the 8-bit value of a colour of the printer's palette), or a universal
            perturbation plus :data:`OFFSET` (so that it is an 8-bit image too).
        mask: (1, H, W) of 0 and 1: where the pattern applies (all ones for a universal perturbation).
        additive: False for a sticker (replaces the pixels under the mask), True for a universal
            perturbation (added to every pixel).
        made_on: fingerprints (:func:`fingerprint`) of the images it was made on.
        iterations: iterations run. cancelled: ``should_stop()`` ended it early.
        train_success: the success rate of the returned pattern on the images and views it was
            checked on while being made (not a held-out figure).
        target: the target class, or None (untargeted).
        placed: an adversarial patch: stored centred, pasted at a random place in each view
            (:func:`~inspector.core.physical.placement.place`).
    """

    pattern: torch.Tensor
    mask: torch.Tensor
    additive: bool
    made_on: frozenset[str]
    iterations: int
    cancelled: bool
    train_success: float
    target: int | None = None
    placed: bool = False

    def apply(
        self, x: torch.Tensor, pattern: torch.Tensor | None = None, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """The images ``x`` (N, C, H, W) in [0, 1] with the pattern (or ``pattern`` instead, e.g. as
        printed) on them -> (N, C, H, W) in [0, 1]; a placed patch lands where ``generator`` draws.

        Raises:
            ValueError: a placed patch without a generator.
        """
        p = self.pattern if pattern is None else pattern
        if self.placed:
            if generator is None:
                raise ValueError("a placed patch needs a generator to draw its places")
            from inspector.core.physical.placement import place

            return place(p, self.mask, x, generator)
        if self.additive:
            return (x + (p - OFFSET)).clamp(0.0, 1.0)
        return x * (1 - self.mask) + p * self.mask

    def rgba(self) -> Image.Image:
        """The pattern as an 8-bit RGBA image in the model's input frame, its alpha the mask."""
        rgb = (self.pattern * 255).round().to(torch.uint8).permute(1, 2, 0)
        if rgb.shape[2] == 1:
            rgb = rgb.expand(-1, -1, 3)
        alpha = (self.mask[0] * 255).round().to(torch.uint8).unsqueeze(-1)
        return Image.fromarray(torch.cat([rgb, alpha], dim=2).numpy(), "RGBA")


def fingerprint(image: torch.Tensor) -> str:
    """The SHA-256 of one image (C, H, W) in [0, 1] as 8 bits: equal for the same saved pixels."""
    levels = (quantize(image.detach().cpu()) * 255).round().to(torch.uint8)
    return hashlib.sha256(levels.numpy().tobytes() + str(tuple(levels.shape)).encode()).hexdigest()


def fingerprints(x: torch.Tensor) -> frozenset[str]:
    """:func:`fingerprint` of each image of ``x`` (N, C, H, W)."""
    return frozenset(fingerprint(image) for image in x)
