"""Training the shipped MNIST models: standard, PGD adversarial training, defensive distillation."""

from inspector.core.training.loop import Progress, fit
from inspector.core.training.train import DEFAULT_EPOCHS, METHODS, TrainReport, train

__all__ = ["DEFAULT_EPOCHS", "METHODS", "Progress", "TrainReport", "fit", "train"]
