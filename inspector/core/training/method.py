"""A training method: its recipe as :func:`~inspector.core.util.params.param` fields, and the
registry of them (``inspector train METHOD``, the reference models of the membership attacks).

Each method is one module of :mod:`inspector.core.training.methods` with one
:class:`TrainingMethod` subclass decorated ``@TRAINING_METHODS.register``; its import in
that package's ``__init__`` is the registration line. Method modules import torch inside
:meth:`TrainingMethod.fit` only, so that the command line lists and checks them without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from inspector.core.util.bounds import MAX_EPOCHS
from inspector.core.util.params import Configurable, Registry, param

if TYPE_CHECKING:
    import torch
    from torch import nn

    from inspector.core.training.loop import Progress

#: The training methods by name.
TRAINING_METHODS = Registry("training method")


@dataclass
class Fitted:
    """What :meth:`TrainingMethod.fit` made: the network to deploy, whether training finished,
    the method's settings as weight-file metadata, for DP-SGD the epsilon spent, and warnings
    about the run (fast adversarial training's catastrophic overfitting), one line each."""

    net: nn.Module
    finished: bool
    metadata: dict[str, str] = field(default_factory=dict)
    epsilon: float | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class TrainingMethod(Configurable):
    """One way to train :class:`~inspector.core.models.zoo.mnist_cnn.MnistCNN`; subclasses set
    ``name``, ``title`` and ``paper``, may redeclare ``epochs`` and ``lr`` with their own
    defaults, add their parameters and implement :meth:`fit`."""

    title: ClassVar[str] = ""
    paper: ClassVar[str] = ""
    #: The checkpoint stages, in order: ``""`` for one checkpoint file, names for several.
    stages: ClassVar[tuple[str, ...]] = ("",)

    epochs: int = param(6, "training epochs (per network where a method trains several)", minimum=1, maximum=MAX_EPOCHS)
    lr: float = param(1e-3, "learning rate of Adam", minimum=1e-6, maximum=1.0)

    def fit(
        self,
        net: nn.Module,
        x: torch.Tensor,
        y: torch.Tensor,
        *,
        seed: int,
        checkpoints: list[Path],
        resume: bool,
        on_progress: Callable[[Progress], None] | None,
        should_stop: Callable[[], bool] | None,
    ) -> Fitted:
        """Train ``net`` (seeded, fresh) on x (N, 1, 28, 28) in [0, 1] and labels y (N,).

        One checkpoint per stage (``checkpoints[i]`` for ``stages[i]``) after each epoch;
        ``resume`` continues from them.

        Raises:
            ModelError, ExportError: a checkpoint cannot be read or written.
        """
        raise NotImplementedError

    @property
    def model_name(self) -> str:
        """The built-in model this recipe makes, ``mnist-<name>``: the stem of its weights file."""
        return f"mnist-{self.name}"

    def checkpoint_names(self, stem: str) -> list[str]:
        """The checkpoint files :meth:`fit` writes beside ``stem``, one per stage."""
        return [f"{stem}.{stage}.ckpt" if stage else f"{stem}.ckpt" for stage in self.stages]


@dataclass
class BatchLossMethod(TrainingMethod):
    """A method that trains any network on one batch loss. Subclasses implement
    :meth:`batch_loss` and :meth:`settings`."""

    def batch_loss(self):
        """The :class:`~inspector.core.training.loop.BatchLoss` to minimise."""
        raise NotImplementedError

    def settings(self) -> dict[str, str]:
        """The method's parameters as weight-file metadata."""
        raise NotImplementedError

    def fit(self, net, x, y, *, seed, checkpoints, resume, on_progress, should_stop, on_epoch=None) -> Fitted:
        """As :meth:`TrainingMethod.fit`, for any network taking x (N, C, H, W) in [0, 1];
        ``on_epoch(epochs_done)`` is called after each epoch's checkpoint, with ``net`` in eval mode."""
        from inspector.core.training.loop import fit

        done = fit(
            net,
            x,
            y,
            self.batch_loss(),
            epochs=self.epochs,
            lr=self.lr,
            seed=seed,
            stage=self.name,
            checkpoint=checkpoints[0],
            resume=resume,
            on_progress=on_progress,
            should_stop=should_stop,
            on_epoch=on_epoch,
        )
        return Fitted(net, done, self.settings())


@dataclass
class AdversarialMethod(BatchLossMethod):
    """A method that trains any network on one adversarial batch loss at a Linf budget ``eps``
    (pixels in [0, 1]): the methods ``inspector harden`` offers. Subclasses declare ``eps`` and
    their parameters and implement :meth:`batch_loss` and :meth:`settings`."""

    #: Whether ``eps`` is the threat budget, which ``inspector harden`` sets from the data unless given
    #: (False: the method keeps its own default, as FGSM augmentation its 0.1).
    eps_is_budget: ClassVar[bool] = True
