"""DP-SGD (Abadi et al. 2016, arXiv:1607.00133) through Opacus: see
:mod:`inspector.core.training.dp_sgd`."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.training.method import TRAINING_METHODS, Fitted, TrainingMethod
from inspector.core.util.bounds import MAX_COUNT, MAX_EPOCHS
from inspector.core.util.params import param


@TRAINING_METHODS.register
@dataclass
class DP(TrainingMethod):
    name = "dp"
    title = "differentially private SGD (DP-Adam)"
    paper = "Abadi et al. 2016, arXiv:1607.00133"

    epochs: int = param(10, "training epochs", minimum=1, maximum=MAX_EPOCHS)
    noise_multiplier: float = param(1.1, "noise standard deviation over the clipping norm", minimum=0.01, maximum=100.0)
    max_grad_norm: float = param(1.0, "L2 norm each digit's gradient is clipped to", minimum=1e-6, maximum=1e6)
    batch_size: int = param(100, "expected lot size (Poisson sampling)", minimum=1, maximum=MAX_COUNT)
    delta: float = param(1e-5, "delta of the (epsilon, delta) guarantee", minimum=1e-12, maximum=0.1)

    def fit(self, net, x, y, *, seed, checkpoints, resume, on_progress, should_stop) -> Fitted:
        from inspector.core.training.dp_sgd import DPSettings, fit_dp

        settings = DPSettings(
            noise_multiplier=self.noise_multiplier,
            max_grad_norm=self.max_grad_norm,
            batch_size=self.batch_size,
            lr=self.lr,
            delta=self.delta,
        )
        done, epsilon = fit_dp(
            net,
            x,
            y,
            settings,
            epochs=self.epochs,
            seed=seed,
            checkpoint=checkpoints[0],
            resume=resume,
            on_progress=on_progress,
            should_stop=should_stop,
        )
        meta = {
            "optimizer": "DP-Adam",
            "noise_multiplier": str(self.noise_multiplier),
            "max_grad_norm": str(self.max_grad_norm),
            "expected_batch_size": str(self.batch_size),
            "sampling": "Poisson",
            "epsilon": f"{epsilon:.3f}",
            "delta": str(self.delta),
            "accountant": "RDP",
        }
        return Fitted(net, done, meta, epsilon)
