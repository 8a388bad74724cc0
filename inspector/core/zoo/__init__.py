"""The built-in models: a registry of :class:`~inspector.core.classifier.ModelInfo` by name.

The first entry is the default model. Adding a built-in model is one
``MODELS.register(ModelInfo(...))`` call here.
"""

from functools import partial

from inspector.core.classifier import ModelInfo
from inspector.core.params import Registry
from inspector.core.zoo.efficientnet import build_efficientnet_lite0
from inspector.core.zoo.mnist_cnn import TASK as MNIST_TASK, build_mnist

MODELS = Registry("model")

MODELS.register(ModelInfo(
    name="efficientnet-lite0",
    task="ImageNet-1k, 1000 classes, 224x224 RGB",
    description="EfficientNet-Lite0 (Tan and Le 2019), pretrained weights, 75 % top-1",
    build=build_efficientnet_lite0,
))
MODELS.register(ModelInfo(
    name="mnist-standard",
    task=MNIST_TASK,
    description="small CNN with dropout, standard training (see resources/models/mnist-standard.md)",
    build=partial(build_mnist, "mnist-standard"),
))
MODELS.register(ModelInfo(
    name="mnist-pgd-at",
    task=MNIST_TASK,
    description="same CNN, PGD adversarial training, Linf eps 0.3 (Madry et al. 2018)",
    build=partial(build_mnist, "mnist-pgd-at"),
))
MODELS.register(ModelInfo(
    name="mnist-distilled",
    task=MNIST_TASK,
    description="same CNN, defensive distillation at T=100, deployed at T=1 (Papernot et al. 2016)",
    build=partial(build_mnist, "mnist-distilled"),
))
