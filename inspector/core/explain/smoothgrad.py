"""SmoothGrad: saliency averaged over noisy copies of the image (Smilkov et al. 2017)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from inspector.core.explain.method import EXPLANATION_METHODS, Attribution, ExplanationMethod
from inspector.core.util.params import param

if TYPE_CHECKING:
    import torch

    from inspector.core.models.classifier import Classifier

#: The most noisy copies (each a forward and backward pass of the model).
MAX_SAMPLES = 1000


@EXPLANATION_METHODS.register
@dataclass
class SmoothGradMethod(ExplanationMethod):
    """The saliency map (max over channels of |gradient|, non-negative, logit units per [0, 1]
    pixel unit) averaged over ``samples`` copies of the image with Gaussian noise of standard
    deviation ``noise`` added (unclipped): less speckled than one gradient. The noise is drawn
    with torch's generator seeded by ``seed`` (the global state is saved and restored around it),
    so a seed gives the same map every time."""

    name = "smoothgrad"
    title = "SmoothGrad (saliency over noisy copies)"
    paper = "Smilkov et al. 2017, arXiv:1706.03825"

    samples: int = param(25, "noisy copies of the image averaged", minimum=1, maximum=MAX_SAMPLES)
    noise: float = param(0.15, "standard deviation of the noise, in [0, 1] pixel units", minimum=0.0, maximum=1.0)
    seed: int = param(0, "seed of the noise", minimum=0, maximum=2**31 - 1)

    def _attribute(self, model: Classifier, x: torch.Tensor, target: int) -> Attribution:
        import torch
        from captum.attr import NoiseTunnel, Saliency

        devices = [x.device] if x.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(self.seed)
            grads = NoiseTunnel(Saliency(model)).attribute(
                x,
                nt_type="smoothgrad",
                nt_samples=self.samples,
                nt_samples_batch_size=min(self.samples, 32),
                stdevs=self.noise,
                target=target,
                abs=True,
            )
        return Attribution(grads[0].amax(0).detach().float().cpu(), target)
