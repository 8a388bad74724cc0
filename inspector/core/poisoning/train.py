"""Train a backdoored MNIST model: poison the training digits, then the shipped recipe.

The recipe is ``mnist-standard``'s (:mod:`inspector.core.training`):
:class:`~inspector.core.models.zoo.mnist_cnn.MnistCNN`, Adam at 1e-3, batch 100,
6 epochs, cross-entropy, on the first 8,000 MNIST test digits; figures on the
last 2,000 (held out). Training checkpoints after each epoch, reports
progress, can be cancelled and resumed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.models.zoo.mnist_cnn import MnistCNN
from inspector.core.poisoning.attack import PoisoningAttack
from inspector.core.poisoning.attacks.badnets import BadNets
from inspector.core.poisoning.badnets import PoisonedSet
from inspector.core.poisoning.success import BackdoorFigures, backdoor_figures
from inspector.core.poisoning.triggers import Trigger
from inspector.core.training.loop import Progress, fit
from inspector.core.training.methods.standard import Standard
from inspector.core.training.standard import cross_entropy_loss
from inspector.core.util.bounds import MAX_EPOCHS, check_count, check_seed

#: The poison rates of the sweep, as fractions of the training set.
SWEEP_RATES = (0.001, 0.005, 0.01, 0.05)


@dataclass
class BackdoorConfig:
    """What to poison and how to train on it.

    Attributes:
        attack: the poisoning attack with its settings (trigger, target, rate, and its own), e.g.
            ``POISONING_ATTACKS.make("clean-label", {"rate": 0.1})``; default BadNets' defaults.
        epochs, seed: training settings (``mnist-standard``: 6 and 0); the seed also draws the
            poisoned images and the blend trigger's key image.
    """

    attack: PoisoningAttack = field(default_factory=BadNets)
    epochs: int = Standard.epochs
    seed: int = 0

    def check(self) -> None:
        """Raises ParameterError (its ``param`` naming the field) for a bad attack setting (see
        :meth:`~inspector.core.poisoning.attack.PoisoningAttack.check`), epochs outside 1..MAX_EPOCHS
        or a seed outside 0..MAX_TRAIN_SEED."""
        check_count(self.epochs, "the epochs", maximum=MAX_EPOCHS, param="epochs")
        check_seed(self.seed, "the seed", param="seed")
        self.attack.check()

    def make_trigger(self, shape: tuple[int, int, int] = (1, 28, 28)) -> Trigger:
        return self.attack.make_trigger(shape, seed=self.seed)

    def to_dict(self) -> dict:
        """The attack's name and settings, the epochs and the seed: what result.json records."""
        return {"attack": self.attack.name, **self.attack.settings(), "epochs": self.epochs, "seed": self.seed}

    def stage(self) -> str:
        """A name for the checkpoint that differs between configurations."""
        return "backdoor-" + "-".join(f"{k}={v}" for k, v in self.to_dict().items())


@dataclass
class BackdoorReport:
    """A trained backdoored model: the network, the poisoned indices, and its held-out figures."""

    config: BackdoorConfig
    net: MnistCNN
    poisoned: torch.Tensor
    figures: BackdoorFigures
    seconds: float
    finished: bool
    trigger: Trigger = field(repr=False)

    def to_dict(self) -> dict:
        return {
            "config": self.config.to_dict(),
            "poisoned_count": len(self.poisoned),
            "trigger": self.trigger.description,
            **self.figures.to_dict(),
            "seconds": round(self.seconds, 1),
            "finished": self.finished,
        }


def poison_training_set(
    config: BackdoorConfig, x: torch.Tensor, y: torch.Tensor, *, proxy: torch.nn.Module | None = None
) -> PoisonedSet:
    """The poisoned copy of (x, y) that ``config`` describes (``proxy``: a model the attack may perturb with)."""
    channels, height, width = x.shape[1:]
    trigger = config.make_trigger((channels, height, width))
    return config.attack.poison(x, y, trigger, seed=config.seed, proxy=proxy)


def train_backdoor(
    config: BackdoorConfig,
    *,
    data: str | os.PathLike | None = None,
    checkpoint: str | os.PathLike | None = None,
    resume: bool = False,
    proxy: torch.nn.Module | None = None,
    limit: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> BackdoorReport:
    """Poison the 8,000 training digits as ``config`` says, train, and measure on the 2,000 held out.

    ``checkpoint`` is written after each epoch; ``resume`` continues from it.
    ``proxy`` is the model the clean-label attack perturbs with (default: the
    shipped ``mnist-pgd-at``). ``limit`` trains on the first ``limit`` digits only
    (smoke tests; the rate is then of those). If stopped, ``finished`` is False and the figures
    are those of the partly trained network.

    Raises:
        ParameterError: a bad configuration (see :meth:`BackdoorConfig.check`).
        ImageError: the MNIST files are missing or corrupt.
        ModelError, ExportError: the checkpoint cannot be read or written.
    """
    config.check()
    start = time.perf_counter()
    split = mnist_split(data)
    x, y = split["train"]
    if limit is not None:
        x, y = x[:limit], y[:limit]
    poisoned = poison_training_set(config, x, y, proxy=proxy)
    torch.manual_seed(config.seed)
    net = MnistCNN()
    done = fit(
        net,
        poisoned.x,
        poisoned.y,
        cross_entropy_loss,
        stage=config.stage(),
        epochs=config.epochs,
        lr=Standard.lr,
        seed=config.seed,
        checkpoint=checkpoint,
        resume=resume,
        on_progress=on_progress,
        should_stop=should_stop,
    )
    trigger = config.make_trigger()
    hx, hy = split["held_out"]
    figures = backdoor_figures(net, hx, hy, trigger, config.attack.target)
    return BackdoorReport(config, net, poisoned.indices, figures, time.perf_counter() - start, done, trigger)
