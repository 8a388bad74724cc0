"""The classifier every attack and defence runs on: pixels in [0, 1] -> logits.

:class:`Classifier` wraps a network with its normalisation, input size and class
names; :class:`ModelInfo` describes a built-in model (see :mod:`inspector.core.models.zoo`).
Loading lives in :mod:`inspector.core.models.loading`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch
from torch import nn

from inspector.core.util.errors import ModelError
from inspector.core.util.messages import one_line, show_path


class Classifier(nn.Module):
    """An image classifier taking pixels, not normalised tensors.

    ``forward(x)`` takes float32 ``x`` of shape (N, C, H, W) with values in
    [0, 1] and returns logits (N, K). Parameters are frozen (no gradient) and
    the network is in eval mode, so gradients flow to the input only. An error
    inside the network (a TorchScript exception, a shape mismatch) is raised as
    :class:`~inspector.core.util.errors.ModelError` with one line saying what failed;
    running out of device memory stays ``torch.OutOfMemoryError``.

    Attributes:
        name: the model spec it was loaded from.
        input_size: (H, W) in pixels.
        channels: 3 (RGB) or 1 (grey).
        class_names: K names in output order.
        task: one line saying what it classifies.
        resize: how an image is brought to ``input_size``: ``"shorter-side-crop"`` (resize the
            shorter side, crop the centre) or ``"stretch"`` (see :func:`inspector.core.io.image.preprocess`).
        has_input_gradient: whether the logits have a usable gradient with respect to
            the input, as white-box attacks need (set when the model is probed at load,
            see :mod:`inspector.core.models.probe`; True until then).
    """

    mean: torch.Tensor  # buffers (1, C, 1, 1), registered in __init__
    std: torch.Tensor

    def __init__(
        self,
        net: nn.Module,
        *,
        name: str,
        input_size: tuple[int, int],
        channels: int,
        class_names: Sequence[str],
        mean: Sequence[float] | float = 0.0,
        std: Sequence[float] | float = 1.0,
        task: str = "",
        resize: str = "shorter-side-crop",
    ):
        super().__init__()
        self.net = net.eval()
        for p in self.net.parameters():
            p.requires_grad_(False)
        self.name = name
        height, width = input_size
        self.input_size = (height, width)
        self.channels = channels
        self.class_names = tuple(class_names)
        self.task = task
        self.resize = resize
        self.has_input_gradient = True
        shape = (1, channels, 1, 1)
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32).expand(channels).reshape(shape).clone())
        self.register_buffer("std", torch.as_tensor(std, dtype=torch.float32).expand(channels).reshape(shape).clone())
        super().train(False)

    @property
    def device(self) -> torch.device:
        return self.mean.device

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        try:
            return self.net((x - self.mean) / self.std)
        except torch.OutOfMemoryError:
            raise
        except (RuntimeError, torch.jit.Error) as exc:  # torch.jit.Error is no RuntimeError
            shape = "x".join(str(n) for n in x.shape[1:])
            raise ModelError(
                f"{show_path(self.name)}: the model failed on a batch of {x.shape[0]} {shape} images ({one_line(exc)})"
            ) from None

    def train(self, mode: bool = True) -> Classifier:
        """Classifiers stay in eval mode; use :meth:`nn.Module.train` on ``net`` to train."""
        return super().train(False)


@dataclass(frozen=True)
class ModelInfo:
    """A built-in model: its name, what it classifies, and how to build it."""

    name: str
    task: str
    description: str
    build: Callable[[], Classifier]
