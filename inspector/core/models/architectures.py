"""Named architectures that take the user's weights: ``--model ARCHITECTURE --weights FILE``.

An :class:`Architecture` builds an untrained network with as many outputs as
the weights have (the first dimension of its output layer), which then takes
the state dict strictly (every key, every shape). Nothing is downloaded. The
output layer sizes the network, so it must store its weights (no empty
dimension, no shape without data) for 2 to :data:`~inspector.core.io.untrusted.MAX_COUNT`
classes. The input size, channels and normalisation are the architecture's, unless the
weights file has a sidecar (:mod:`inspector.core.models.formats.sidecar`) saying otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from torch import nn

from inspector.core.models.classifier import Classifier
from inspector.core.models.formats.sidecar import classifier_for
from inspector.core.models.formats.state_dict import read_state_dict
from inspector.core.models.metadata import ModelMetadata
from inspector.core.models.zoo.efficientnet import INPUT_SIDES, MEAN, STD, efficientnet_lite_net
from inspector.core.models.zoo.gtsrb_cnn import INPUT_SIZE as GTSRB_INPUT_SIZE
from inspector.core.models.zoo.gtsrb_cnn import GtsrbCNN
from inspector.core.models.zoo.mnist_cnn import MnistCNN
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import one_line, show_path
from inspector.core.util.params import Registry


@dataclass(frozen=True)
class Architecture:
    """A network by name.

    Attributes:
        name: what ``--model`` takes.
        description: one line for listings.
        head: the state dict key of the output layer's weight, (K, ...) for K classes.
        build: ``build(K)`` -> an untrained network with K outputs.
        defaults: input size, channels, normalisation and task of weights without a sidecar.
    """

    name: str
    description: str
    head: str
    build: Callable[[int], nn.Module]
    defaults: ModelMetadata


ARCHITECTURES = Registry("architecture")
ARCHITECTURES.register(
    Architecture(
        name="mnist-cnn",
        description="the built-in MNIST models' CNN: 28x28 grey in [0, 1]",
        head="classifier.5.weight",
        build=lambda k: MnistCNN(num_classes=k),
        defaults=ModelMetadata(input_size=(28, 28), channels=1, task="mnist-cnn with your weights"),
    )
)
ARCHITECTURES.register(
    Architecture(
        name="gtsrb-cnn",
        description="the built-in road-sign models' VGG-style CNN: 32x32 RGB in [0, 1]",
        head="classifier.4.weight",
        build=lambda k: GtsrbCNN(num_classes=k),
        defaults=ModelMetadata(input_size=GTSRB_INPUT_SIZE, channels=3, task="gtsrb-cnn with your weights"),
    )
)
for _name, _side in INPUT_SIDES.items():
    ARCHITECTURES.register(
        Architecture(
            name=_name,
            description=f"EfficientNet-Lite (efficientnet-lite-pytorch): {_side}x{_side} RGB",
            head="_fc.weight",
            build=partial(efficientnet_lite_net, _name),
            defaults=ModelMetadata(
                input_size=(_side, _side), channels=3, mean=(MEAN,), std=(STD,), task=f"{_name} with your weights"
            ),
        )
    )


def load_with_weights(name: str, weights: Path) -> Classifier:
    """Architecture ``name`` with the state dict in ``weights`` (``.safetensors`` or ``torch.save``'d).

    Raises:
        ModelError: no architecture has that name; the weights cannot be read (see
            :func:`~inspector.core.models.formats.state_dict.read_state_dict`) or do not fit it
            (the message names the missing, unexpected or misshapen keys); the output layer
            gives fewer than 2 or more than MAX_COUNT classes, or stores no weights.
    """
    if name not in ARCHITECTURES:
        raise ModelError(f"--weights needs an architecture as --model, not {name!r}: one of {', '.join(ARCHITECTURES)}")
    arch = ARCHITECTURES[name]
    state = read_state_dict(weights)
    shown = show_path(weights)
    if arch.head not in state or state[arch.head].dim() < 1:
        raise ModelError(
            f"{shown}: not {name} weights (no output layer {arch.head!r}); "
            f"choose the architecture they were trained with"
        )
    head = state[arch.head]
    if not 2 <= head.shape[0] <= MAX_COUNT or head.numel() == 0:
        raise ModelError(
            f"{shown}: output layer {arch.head!r} of shape {tuple(head.shape)} gives "
            f"{head.shape[0]:,} classes; {name} takes 2 to {MAX_COUNT:,}, with their weights stored"
        )
    net = arch.build(int(head.shape[0]))
    try:
        net.load_state_dict(state)
    except RuntimeError as exc:  # missing, unexpected or misshapen keys
        raise ModelError(f"{shown}: not {name} weights ({one_line(' '.join(str(exc).split()))})") from None
    return classifier_for(net, weights, arch.defaults)
