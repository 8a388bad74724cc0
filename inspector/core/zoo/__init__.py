"""The built-in models, by name. The first entry is the default model."""

from inspector.core.models import ModelInfo
from inspector.core.zoo.efficientnet import build_efficientnet_lite0

BUILTIN_MODELS: dict[str, ModelInfo] = {
    "efficientnet-lite0": ModelInfo(
        name="efficientnet-lite0",
        task="ImageNet-1k, 1000 classes, 224x224 RGB",
        description="EfficientNet-Lite0 (Tan and Le 2019), pretrained weights, 75 % top-1",
        build=build_efficientnet_lite0,
    ),
}
