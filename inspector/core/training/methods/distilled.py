"""Defensive distillation (Papernot et al. 2016, arXiv:1511.04508): a teacher, then a student
on its soft labels, both at temperature T; the student is deployed at T = 1. See
:mod:`inspector.core.training.distillation` for the loss."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.training.method import TRAINING_METHODS, Fitted, TrainingMethod
from inspector.core.util.params import param


@TRAINING_METHODS.register
@dataclass
class Distilled(TrainingMethod):
    name = "distilled"
    title = "defensive distillation"
    paper = "Papernot et al. 2016, arXiv:1511.04508"
    stages = ("teacher", "student")

    #: The distilled networks' logits must grow about T times larger: a larger learning rate.
    lr: float = param(3e-3, "learning rate of Adam", minimum=1e-6, maximum=1.0)
    temperature: float = param(100.0, "softmax temperature T of training", minimum=1.0, maximum=1000.0)

    def fit(self, net, x, y, *, seed, checkpoints, resume, on_progress, should_stop) -> Fitted:
        import torch

        from inspector.core.models.zoo.mnist_cnn import MnistCNN
        from inspector.core.training.distillation import TemperatureLoss, soft_labels
        from inspector.core.training.loop import fit

        common = dict(
            epochs=self.epochs, lr=self.lr, seed=seed, resume=resume, on_progress=on_progress, should_stop=should_stop
        )
        loss = TemperatureLoss(self.temperature)
        teacher = net
        done = fit(teacher, x, y, loss, stage="teacher", checkpoint=checkpoints[0], **common)
        if done:
            torch.manual_seed(seed + 1)
            net = MnistCNN()
            done = fit(
                net,
                x,
                soft_labels(teacher, x, self.temperature),
                loss,
                stage="student",
                checkpoint=checkpoints[1],
                **common,
            )
        return Fitted(net, done, {"temperature": str(self.temperature), "deployed_temperature": "1"})
