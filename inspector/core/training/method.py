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
    the method's settings as weight-file metadata, and for DP-SGD the epsilon spent."""

    net: nn.Module
    finished: bool
    metadata: dict[str, str] = field(default_factory=dict)
    epsilon: float | None = None


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

    def checkpoint_names(self, stem: str) -> list[str]:
        """The checkpoint files :meth:`fit` writes beside ``stem``, one per stage."""
        return [f"{stem}.{stage}.ckpt" if stage else f"{stem}.ckpt" for stage in self.stages]
