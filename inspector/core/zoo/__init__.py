"""The built-in models, by name. The first entry is the default model."""

from functools import partial

from inspector.core.models import ModelInfo
from inspector.core.zoo.efficientnet import build_efficientnet_lite0
from inspector.core.zoo.mnist_cnn import TASK as MNIST_TASK, build_mnist

BUILTIN_MODELS: dict[str, ModelInfo] = {
    "efficientnet-lite0": ModelInfo(
        name="efficientnet-lite0",
        task="ImageNet-1k, 1000 classes, 224x224 RGB",
        description="EfficientNet-Lite0 (Tan and Le 2019), pretrained weights, 75 % top-1",
        build=build_efficientnet_lite0,
    ),
    "mnist-standard": ModelInfo(
        name="mnist-standard",
        task=MNIST_TASK,
        description="small CNN with dropout, standard training (see resources/models/mnist-standard.md)",
        build=partial(build_mnist, "mnist-standard"),
    ),
    "mnist-pgd-at": ModelInfo(
        name="mnist-pgd-at",
        task=MNIST_TASK,
        description="same CNN, PGD adversarial training, Linf eps 0.3 (Madry et al. 2018)",
        build=partial(build_mnist, "mnist-pgd-at"),
    ),
    "mnist-distilled": ModelInfo(
        name="mnist-distilled",
        task=MNIST_TASK,
        description="same CNN, defensive distillation at T=100, deployed at T=1 (Papernot et al. 2016)",
        build=partial(build_mnist, "mnist-distilled"),
    ),
}
