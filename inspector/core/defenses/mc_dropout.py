"""Dropout-based (Bayesian) uncertainty detection.

Feinman, Curtin, Shintre and Gardner 2017, "Detecting Adversarial Samples from
Artifacts", arXiv:1703.00410.

With dropout kept on at test time (Monte Carlo dropout, Gal and Ghahramani
2016, arXiv:1506.02142), T stochastic forward passes give probabilities p_t,
and the uncertainty is

    U(x) = 1/T sum_t p_t . p_t - (1/T sum_t p_t) . (1/T sum_t p_t)

(the total variance of the predicted probabilities). Only models with dropout
layers have such a score.

The passes run on a copy of the model, so that a model shared with other threads (the app's
workspaces) never has its dropout switched on under them, holding
:data:`~inspector.core.util.global_rng.GLOBAL_RNG` while they draw.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import nn

from inspector.core.defenses.detection import Detector, fpr_param, register
from inspector.core.util.errors import ModelError
from inspector.core.util.global_rng import GLOBAL_RNG
from inspector.core.util.params import MAX_SEED, param

_DROPOUT = (nn.Dropout, nn.Dropout1d, nn.Dropout2d, nn.Dropout3d, nn.AlphaDropout)


def dropout_layers(model: nn.Module) -> list[nn.Module]:
    """The dropout modules inside ``model`` (empty for a model without dropout or a TorchScript model)."""
    return [m for m in model.modules() if isinstance(m, _DROPOUT)]


@register
@dataclass
class DropoutUncertainty(Detector):
    """MC-dropout uncertainty (Feinman et al. 2017, arXiv:1703.00410); score in [0, 1), ``samples`` passes per image.

    Raises (from :meth:`score`):
        ModelError: the model has no dropout layer, so the score does not exist.
    """

    name = "dropout"
    title = "Dropout uncertainty"
    paper = "Feinman, Curtin, Shintre and Gardner 2017, Detecting Adversarial Samples from Artifacts, arXiv:1703.00410"

    samples: int = param(20, "stochastic forward passes T", minimum=2, maximum=1000)
    seed: int = param(0, "seed of the dropout masks", minimum=0, maximum=MAX_SEED)
    fpr: float = fpr_param()

    def score(self, model, x):
        layers = dropout_layers(model)
        if not layers:
            name = getattr(model, "name", type(model).__name__)
            raise ModelError(
                f"model {name} has no dropout layer: dropout uncertainty (Feinman et al. 2017) "
                "does not apply to it; use feature squeezing"
            )
        devices = [x.device] if x.device.type == "cuda" else []
        stochastic = copy.deepcopy(model)
        for layer in dropout_layers(stochastic):
            layer.train(True)
        with GLOBAL_RNG, torch.no_grad(), torch.random.fork_rng(devices=devices):
            torch.manual_seed(self.seed)
            p = torch.stack([stochastic(x).softmax(1) for _ in range(self.samples)])
        mean = p.mean(0)
        return ((p * p).sum(2).mean(0) - (mean * mean).sum(1)).cpu()
