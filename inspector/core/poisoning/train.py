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
from dataclasses import asdict, dataclass, field

import torch

from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.models.zoo.mnist_cnn import MnistCNN
from inspector.core.poisoning.badnets import PoisonedSet, badnets, check_rate, check_target
from inspector.core.poisoning.clean_label import DEFAULT_EPS, clean_label
from inspector.core.poisoning.success import BackdoorFigures, backdoor_figures
from inspector.core.poisoning.triggers import Trigger, make_trigger
from inspector.core.training.loop import Progress, fit
from inspector.core.training.methods.standard import Standard
from inspector.core.training.standard import cross_entropy_loss
from inspector.core.util.bounds import MAX_EPOCHS, check_count, check_real, check_seed
from inspector.core.util.errors import ParameterError

ATTACKS = ("badnets", "clean-label")
#: The poison rates of the sweep, as fractions of the training set.
SWEEP_RATES = (0.001, 0.005, 0.01, 0.05)


@dataclass
class BackdoorConfig:
    """What to poison and how.

    Attributes:
        attack: ``badnets`` (relabelled, Gu et al. 2017) or ``clean-label`` (Turner et al. 2019).
        trigger: ``pixel``, ``patch`` or ``blend`` (see :mod:`~inspector.core.poisoning.triggers`).
        size: side of the ``patch`` trigger in pixels.
        alpha: ``blend`` ratio in (0, 1].
        target: the class triggered images go to, 0..9.
        rate: fraction in (0, 1]: of the whole training set for ``badnets``, of the
            target class for ``clean-label``.
        epochs, seed: training settings (``mnist-standard``: 6 and 0).
        norm, eps, pgd_steps: the clean-label PGD perturbation: ``l2`` or ``linf``, its budget in
            pixel units (see :mod:`~inspector.core.poisoning.clean_label`), and its steps.
    """

    attack: str = "badnets"
    trigger: str = "pixel"
    size: int = 4
    alpha: float = 0.2
    target: int = 0
    rate: float = 0.01
    epochs: int = Standard.epochs
    seed: int = 0
    norm: str = "l2"
    eps: float = DEFAULT_EPS["l2"]
    pgd_steps: int = 200

    def check(self) -> None:
        """Raises ParameterError for an unknown attack or trigger, a bad rate, target, size or alpha,
        epochs outside 1..MAX_EPOCHS, a seed outside 0..MAX_TRAIN_SEED, PGD steps outside 1..MAX_COUNT,
        or (clean-label) an eps outside its norm's range."""
        if self.attack not in ATTACKS:
            raise ParameterError(f"unknown poisoning attack {self.attack!r}: choose one of {', '.join(ATTACKS)}")
        check_count(self.epochs, "--epochs", maximum=MAX_EPOCHS)
        check_seed(self.seed, "--seed")
        check_count(self.size, "--size")
        check_count(self.target, "--target", minimum=0)
        check_real(self.alpha, "--alpha", above=0, maximum=1)
        check_rate(self.rate)
        check_target(self.target, 10)
        if self.attack == "clean-label":
            check_count(self.pgd_steps, "the clean-label PGD steps")
            if self.norm not in DEFAULT_EPS:
                raise ParameterError(f"--norm must be one of {', '.join(DEFAULT_EPS)}, not {self.norm!r}")
            check_real(self.eps, "--eps", above=0, maximum=1 if self.norm == "linf" else 28)
        self.make_trigger()

    def make_trigger(self, shape: tuple[int, int, int] = (1, 28, 28)) -> Trigger:
        return make_trigger(self.trigger, shape, size=self.size, alpha=self.alpha, seed=self.seed)

    def stage(self) -> str:
        """A name for the checkpoint that differs between configurations."""
        return "backdoor-" + "-".join(f"{k}={v}" for k, v in asdict(self).items())


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
            "config": asdict(self.config),
            "poisoned_count": len(self.poisoned),
            "trigger": self.trigger.description,
            **self.figures.to_dict(),
            "seconds": round(self.seconds, 1),
            "finished": self.finished,
        }


def poison_training_set(
    config: BackdoorConfig, x: torch.Tensor, y: torch.Tensor, *, proxy: torch.nn.Module | None = None
) -> PoisonedSet:
    """The poisoned copy of (x, y) that ``config`` describes (``proxy``: the clean-label attack's model)."""
    channels, height, width = x.shape[1:]
    trigger = config.make_trigger((channels, height, width))
    if config.attack == "badnets":
        return badnets(x, y, trigger, config.target, config.rate, seed=config.seed)
    return clean_label(
        x,
        y,
        trigger,
        config.target,
        config.rate,
        proxy=proxy,
        norm=config.norm,
        eps=config.eps,
        steps=config.pgd_steps,
        seed=config.seed,
    )


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
    figures = backdoor_figures(net, hx, hy, trigger, config.target)
    return BackdoorReport(config, net, poisoned.indices, figures, time.perf_counter() - start, done, trigger)
