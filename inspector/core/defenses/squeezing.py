"""Feature-squeezing detection.

Xu, Evans and Qi 2018, "Feature Squeezing: Detecting Adversarial Examples in
Deep Neural Networks", NDSS, arXiv:1704.01155.

score(x) = max over squeezers s of || softmax(f(x)) - softmax(f(s(x))) ||_1,
with the squeezers they used on ImageNet: bit-depth reduction and a median
filter (their third, non-local means, is left out).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.defenses.detection import Detector, fpr_param, register
from inspector.core.defenses.transforms import BitDepth, MedianFilter
from inspector.core.util.params import param


@register
@dataclass
class FeatureSqueezing(Detector):
    """Feature squeezing (Xu et al. 2018, arXiv:1704.01155): L1 change of the probabilities under squeezing.

    Score in [0, 2]; three forward passes per image.
    """

    name = "squeeze"
    title = "Feature squeezing"
    paper = "Xu, Evans and Qi 2018, Feature Squeezing, arXiv:1704.01155"

    bits: int = param(5, "bit depth of the bit-depth squeezer", minimum=1, maximum=8)
    median: int = param(2, "window side of the median squeezer, in pixels", minimum=2, maximum=11)
    fpr: float = fpr_param()

    def score(self, model, x):
        with torch.no_grad():
            p = model(x).softmax(1)
            distances = [
                (model(s.transform(x)).softmax(1) - p).abs().sum(1)
                for s in (BitDepth(self.bits), MedianFilter(self.median))
            ]
        return torch.stack(distances).amax(0).cpu()
