"""Occlusion: how much the class score drops when a square of the image is covered (Zeiler and Fergus 2014)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector.core.explain.method import EXPLANATION_METHODS, Attribution, ExplanationMethod
from inspector.core.util.params import param

if TYPE_CHECKING:
    import torch

    from inspector.core.models.classifier import Classifier

#: The automatic window's side, as a share of the image's shorter side (4 pixels on a 28-pixel
#: digit or a 32-pixel road sign, 32 on a 224-pixel photo).
AUTO_WINDOW_SHARE = 1 / 7
#: The most windows placed on one image (each a forward pass of the model).
MAX_WINDOWS = 20_000
#: Occluded copies of the image run through the model at once.
BATCH = 32


@EXPLANATION_METHODS.register
@dataclass
class OcclusionMethod(ExplanationMethod):
    """A square of ``window`` pixels filled with ``fill`` slides over the image by ``stride`` pixels
    (all channels at once); each pixel gets the logit's drop (logit on the image minus logit on the
    occluded copy) averaged over the windows that covered it. Signed, in logit units: positive where
    covering the pixel lowers the class score. A window of 0 is a seventh of the image's shorter
    side (at least 2 pixels), a stride of 0 half the window (at least 1): sized to the input, one
    setting serves 28-pixel digits and 224-pixel photos. Needs no gradient, only forward passes.

    Raises (from :meth:`attribute`):
        ParameterError: the window is larger than the image, or places more than
            :data:`MAX_WINDOWS` windows.
    """

    name = "occlusion"
    title = "Occlusion (sliding square)"
    paper = "Zeiler and Fergus 2014, arXiv:1311.2901"

    window: int = param(0, "side of the occluding square, in pixels", minimum=0, maximum=4096, zero="auto")
    stride: int = param(0, "step between two windows, in pixels", minimum=0, maximum=4096, zero="auto")
    fill: float = param(0.0, "value the square is filled with, in [0, 1] (0: black)", minimum=0.0, maximum=1.0)

    def sizes(self, height: int, width: int) -> tuple[int, int]:
        """The window and stride in pixels for an image of ``height`` x ``width``, the automatic ones resolved.

        Raises:
            ParameterError: the window is larger than the image, or more than :data:`MAX_WINDOWS` windows fit.
        """
        from inspector.core.util.errors import ParameterError

        window = self.window or max(2, round(min(height, width) * AUTO_WINDOW_SHARE))
        stride = self.stride or max(1, window // 2)
        if window > min(height, width):
            raise ParameterError(f"an occlusion window of {window} pixels does not fit a {height}x{width} image")
        windows = ((height - window) // stride + 1) * ((width - window) // stride + 1)
        if windows > MAX_WINDOWS:
            raise ParameterError(
                f"a stride of {stride} pixels places {windows} windows on a {height}x{width} image "
                f"(at most {MAX_WINDOWS}): choose a larger stride"
            )
        return window, stride

    def _attribute(self, model: Classifier, x: torch.Tensor, target: int) -> Attribution:
        from captum.attr import Occlusion

        channels, height, width = x.shape[1:]
        window, stride = self.sizes(height, width)
        attributions = Occlusion(model).attribute(
            x.detach(),
            sliding_window_shapes=(channels, window, window),
            strides=(channels, stride, stride),
            baselines=self.fill,
            target=target,
            perturbations_per_eval=BATCH,
        )
        return Attribution(attributions[0].mean(0).detach().float().cpu(), target)
