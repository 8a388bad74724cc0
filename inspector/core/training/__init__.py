"""Training the shipped MNIST models: the methods (standard, PGD adversarial training, defensive
distillation, DP-SGD, TRADES, fast adversarial training, FGSM augmentation) are
:data:`~inspector.core.training.methods.TRAINING_METHODS`; the adversarial ones also harden any
trainable model (:mod:`inspector.core.training.hardening`, ``inspector harden``).

Importing this package or the registry loads no torch (the command line lists and checks the
methods' parameters with it); :func:`train` and the rest load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from inspector.core.training.method import TrainingMethod
from inspector.core.training.methods import TRAINING_METHODS

if TYPE_CHECKING:
    from inspector.core.training.loop import Progress, fit
    from inspector.core.training.run import TrainedNetwork, TrainReport, train, train_network

#: Names loaded on first use, by the module that defines them.
_LAZY = {
    "Progress": "loop",
    "fit": "loop",
    "TrainReport": "run",
    "TrainedNetwork": "run",
    "train": "run",
    "train_network": "run",
}

__all__ = [
    "TRAINING_METHODS",
    "Progress",
    "TrainReport",
    "TrainedNetwork",
    "TrainingMethod",
    "fit",
    "train",
    "train_network",
]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
