"""STRIP: run-time detection of backdoor triggers.

Gao, Xu, Wang, Chen, Ranasinghe and Nepal 2019, "STRIP: A Defence Against
Trojan Attacks on Deep Neural Networks", ACSAC, arXiv:1902.06531.

The input x is superimposed on ``samples`` clean images drawn at random,
x_i = clip(x + c_i, 0, 1) (their image-adding blend), and the Shannon
entropy of the model's probabilities is averaged over the copies. A clean
input's prediction scatters under the blends (high entropy); a triggered
input keeps going to the target class whatever it is blended with (low
entropy). The score is the negative mean entropy, so higher is more
suspicious like every detector's.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.defenses.detection import Detector, fpr_param, register
from inspector.core.util.errors import ModelError
from inspector.core.util.params import MAX_SEED, param


def overlay_images(shape: tuple[int, int, int]) -> torch.Tensor:
    """The clean images blended onto inputs: the shipped 2,000 held-out MNIST digits for 28x28 grey models.

    Raises:
        ModelError: no shipped images of that shape (STRIP needs clean images like the model's inputs).
    """
    if tuple(shape) != (1, 28, 28):
        raise ModelError(
            f"STRIP needs clean images of the model's input shape; the product ships them for "
            f"28x28 grey digits only, not {tuple(shape)}"
        )
    from inspector.core.io.datasets.mnist import heldout_digits

    return heldout_digits()[0]


@register
@dataclass
class Strip(Detector):
    """STRIP (Gao et al. 2019, arXiv:1902.06531): negative mean entropy under ``samples`` superimpositions.

    Score in [-ln K, 0] for K classes; ``samples`` forward passes per image.

    Raises (from :meth:`score`):
        ModelError: the model's inputs are not 28x28 grey (no shipped clean images to blend).
    """

    name = "strip"
    title = "STRIP (backdoor triggers)"
    paper = "Gao, Xu, Wang, Chen, Ranasinghe and Nepal 2019, STRIP, arXiv:1902.06531"

    samples: int = param(20, "clean images superimposed on each input", minimum=2, maximum=1000)
    seed: int = param(0, "seed of the choice of clean images", minimum=0, maximum=MAX_SEED)
    fpr: float = fpr_param()

    def score(self, model, x):
        bank = overlay_images(tuple(x.shape[1:])).to(x.device)
        gen = torch.Generator().manual_seed(self.seed)
        pick = torch.randint(len(bank), (len(x), self.samples), generator=gen).to(x.device)
        chunk = max(1, 2048 // self.samples)
        entropies = []
        with torch.no_grad():
            for i in range(0, len(x), chunk):
                blended = (x[i : i + chunk, None] + bank[pick[i : i + chunk]]).clamp(0, 1)  # (n, S, C, H, W)
                p = model(blended.flatten(0, 1)).softmax(1)
                entropy = -(p * p.clamp_min(1e-12).log()).sum(1)
                entropies.append(entropy.reshape(-1, self.samples).mean(1))
        return -torch.cat(entropies).cpu()
