"""Standard training: Adam on the softmax cross-entropy of clean digits."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.training.method import TRAINING_METHODS, Fitted, TrainingMethod


@TRAINING_METHODS.register
@dataclass
class Standard(TrainingMethod):
    name = "standard"
    title = "standard training"
    paper = ""

    def fit(self, net, x, y, *, seed, checkpoints, resume, on_progress, should_stop) -> Fitted:
        from inspector.core.training.loop import fit
        from inspector.core.training.standard import cross_entropy_loss

        done = fit(
            net,
            x,
            y,
            cross_entropy_loss,
            epochs=self.epochs,
            lr=self.lr,
            seed=seed,
            stage="standard",
            checkpoint=checkpoints[0],
            resume=resume,
            on_progress=on_progress,
            should_stop=should_stop,
        )
        return Fitted(net, done)
