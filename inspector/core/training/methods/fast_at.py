"""Fast adversarial training, FGSM with a random start (Wong, Rice and Kolter 2020, arXiv:2001.03994),
with its catastrophic-overfitting check after each epoch: see :mod:`inspector.core.training.fast_at`."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.training.method import TRAINING_METHODS, AdversarialMethod, Fitted
from inspector.core.util.bounds import MAX_EPOCHS
from inspector.core.util.params import param

#: Training images the catastrophic-overfitting check attacks after each epoch (every k-th of the set).
CHECK_IMAGES = 256


@TRAINING_METHODS.register
@dataclass
class FastAT(AdversarialMethod):
    name = "fast-at"
    title = "fast adversarial training (FGSM with random start, step 1.25 eps)"
    paper = "Wong, Rice and Kolter 2020, arXiv:2001.03994"

    eps: float = param(0.3, "Linf budget of the training adversarials", minimum=0.0, maximum=1.0, unit="pixel")
    warmup: float = param(2.4, "epochs over which eps grows linearly from 0", minimum=0.0, maximum=MAX_EPOCHS)

    def batch_loss(self):
        from inspector.core.training.fast_at import FastAdversarialLoss

        return FastAdversarialLoss(eps=self.eps, warmup=self.warmup)

    def settings(self) -> dict[str, str]:
        return {"eps": str(self.eps), "fgsm_step": f"{1.25 * self.eps:g}", "eps_warmup_epochs": str(self.warmup)}

    def fit(self, net, x, y, *, seed, checkpoints, resume, on_progress, should_stop, on_epoch=None) -> Fitted:
        """As :meth:`AdversarialMethod.fit`; after each epoch FGSM and PGD-10 attack a fixed batch of
        training images at ``eps``, and an epoch whose PGD accuracy collapsed while FGSM's stayed high
        gives a note (see :class:`~inspector.core.training.fast_at.OverfittingCheck`)."""
        from inspector.core.training.fast_at import overfitting_check

        every = max(1, len(y) // CHECK_IMAGES)
        cx, cy = x[::every][:CHECK_IMAGES], y[::every][:CHECK_IMAGES]
        notes: list[str] = []

        def check(done: int) -> None:
            result = overfitting_check(net, cx, cy, self.eps, done)
            if result.collapsed:
                notes.append(
                    f"catastrophic overfitting after epoch {done}: PGD accuracy {result.pgd:.1%} against FGSM "
                    f"{result.fgsm:.1%} on {len(cy)} training images (Wong et al. 2020); lower eps or the epochs"
                )
            if on_epoch is not None:
                on_epoch(done)

        fitted = super().fit(
            net,
            x,
            y,
            seed=seed,
            checkpoints=checkpoints,
            resume=resume,
            on_progress=on_progress,
            should_stop=should_stop,
            on_epoch=check,
        )
        fitted.notes.extend(notes)
        return fitted
