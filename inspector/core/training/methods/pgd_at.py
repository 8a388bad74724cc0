"""PGD adversarial training (Madry et al. 2018, arXiv:1706.06083): see
:mod:`inspector.core.training.pgd_at` for the loss."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.training.method import TRAINING_METHODS, AdversarialMethod
from inspector.core.util.bounds import MAX_EPOCHS
from inspector.core.util.params import param


@TRAINING_METHODS.register
@dataclass
class PGDAT(AdversarialMethod):
    name = "pgd-at"
    title = "PGD adversarial training"
    paper = "Madry et al. 2018, arXiv:1706.06083"

    eps: float = param(0.3, "Linf budget of the training adversarials", minimum=0.0, maximum=1.0, unit="pixel")
    steps: int = param(8, "PGD iterations per batch", minimum=1, maximum=1000)
    warmup: float = param(2.4, "epochs over which eps grows linearly from 0", minimum=0.0, maximum=MAX_EPOCHS)

    def batch_loss(self):
        from inspector.core.training.pgd_at import PGDAdversarialLoss

        return PGDAdversarialLoss(eps=self.eps, steps=self.steps, warmup=self.warmup)

    def settings(self) -> dict[str, str]:
        return {"eps": str(self.eps), "pgd_steps": str(self.steps), "eps_warmup_epochs": str(self.warmup)}
