"""The built-in models: networks (:mod:`.efficientnet`, :mod:`.mnist_cnn`) and their registry (:mod:`.registry`)."""

from inspector.core.models.zoo.registry import MNIST_BUILTINS, MODELS

__all__ = ["MNIST_BUILTINS", "MODELS"]
