"""FGSM augmentation (Goodfellow et al. 2015, arXiv:1412.6572), the seed articles' baseline: see
:mod:`inspector.core.training.fgsm_aug` for the loss."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.training.method import TRAINING_METHODS, AdversarialMethod
from inspector.core.util.params import param


@TRAINING_METHODS.register
@dataclass
class FgsmAugmentation(AdversarialMethod):
    name = "fgsm-aug"
    title = "FGSM augmentation (clean plus FGSM examples; the baseline)"
    paper = "Goodfellow et al. 2015, arXiv:1412.6572"
    eps_is_budget = False

    eps: float = param(0.1, "Linf step of the FGSM examples", minimum=0.0, maximum=1.0, unit="pixel")
    alpha: float = param(0.5, "weight of the clean loss against the FGSM loss", minimum=0.0, maximum=1.0)

    def batch_loss(self):
        from inspector.core.training.fgsm_aug import FgsmAugmentedLoss

        return FgsmAugmentedLoss(eps=self.eps, alpha=self.alpha)

    def settings(self) -> dict[str, str]:
        return {"fgsm_eps": str(self.eps), "clean_weight": str(self.alpha)}
