"""TRADES (Zhang et al. 2019, arXiv:1901.08573): see :mod:`inspector.core.training.trades` for the loss."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.training.method import TRAINING_METHODS, AdversarialMethod
from inspector.core.util.bounds import MAX_EPOCHS
from inspector.core.util.params import param


@TRAINING_METHODS.register
@dataclass
class Trades(AdversarialMethod):
    name = "trades"
    title = "TRADES"
    paper = "Zhang et al. 2019, arXiv:1901.08573"

    eps: float = param(0.3, "Linf budget of the training adversarials", minimum=0.0, maximum=1.0, unit="pixel")
    beta: float = param(6.0, "weight of the robustness (KL) term against clean accuracy", minimum=0.0, maximum=1000.0)
    steps: int = param(8, "PGD iterations per batch", minimum=1, maximum=1000)
    warmup: float = param(2.4, "epochs over which eps grows linearly from 0", minimum=0.0, maximum=MAX_EPOCHS)

    def batch_loss(self):
        from inspector.core.training.trades import TradesLoss

        return TradesLoss(eps=self.eps, beta=self.beta, steps=self.steps, warmup=self.warmup)

    def settings(self) -> dict[str, str]:
        return {
            "eps": str(self.eps),
            "beta": str(self.beta),
            "pgd_steps": str(self.steps),
            "eps_warmup_epochs": str(self.warmup),
        }
