"""Training the shipped MNIST models: standard, PGD adversarial training, defensive distillation, DP-SGD."""

from inspector.core.training.loop import Progress, fit
from inspector.core.training.train import DEFAULT_EPOCHS, METHODS, TrainedNetwork, TrainReport, train, train_network

__all__ = ["DEFAULT_EPOCHS", "METHODS", "Progress", "TrainReport", "TrainedNetwork", "fit", "train", "train_network"]
