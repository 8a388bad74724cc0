"""The built-in models: a registry of :class:`~inspector.core.models.classifier.ModelInfo` by name.

The first entry is the default model. Adding a built-in model is one
``MODELS.register(ModelInfo(...))`` call here (an MNIST training: one line of ``MNIST_BUILTINS``).
"""

from functools import partial

from inspector.core.models.classifier import ModelInfo
from inspector.core.models.zoo.efficientnet import build_efficientnet_lite, efficientnet_lite_task
from inspector.core.models.zoo.gtsrb_cnn import TASK as GTSRB_TASK
from inspector.core.models.zoo.gtsrb_cnn import build_gtsrb
from inspector.core.models.zoo.mnist_cnn import TASK as MNIST_TASK
from inspector.core.models.zoo.mnist_cnn import build_mnist
from inspector.core.util.params import Registry

MODELS = Registry("model")

# Published ImageNet top-1 (Tan and Le's reference weights); measured on the 100 photos of
# ../shared/data/imagenet-sample by bench/imagenet_sample.py (224, 240 and 260 pixels, mean 0.498, std 0.502).
for _name, _title, _accuracy in (
    (
        "efficientnet-lite0",
        "EfficientNet-Lite0",
        "75 % top-1 on ImageNet (published), top-1 87/100 and top-5 98/100 on the sample photos",
    ),
    (
        "efficientnet-lite1",
        "EfficientNet-Lite1",
        "77 % top-1 on ImageNet (published), top-1 87/100 and top-5 99/100 on the sample photos",
    ),
    (
        "efficientnet-lite2",
        "EfficientNet-Lite2",
        "78 % top-1 on ImageNet (published), top-1 89/100 and top-5 100/100 on the sample photos",
    ),
):
    MODELS.register(
        ModelInfo(
            name=_name,
            task=efficientnet_lite_task(_name),
            description=f"{_title} (Tan and Le 2019), pretrained weights, {_accuracy}",
            build=partial(build_efficientnet_lite, _name),
        )
    )
#: The shipped MNIST models (one CNN, seven trainings) and their one-line descriptions.
MNIST_BUILTINS = {
    "mnist-standard": "small CNN with dropout, standard training (see resources/models/mnist-standard.md)",
    "mnist-pgd-at": "same CNN, PGD adversarial training, Linf eps 0.3 (Madry et al. 2018)",
    "mnist-distilled": "same CNN, defensive distillation at T=100, deployed at T=1 (Papernot et al. 2016)",
    "mnist-backdoor": "same CNN, BadNets backdoor: a 3x3 corner pattern sends any digit to 0 "
    "(see resources/models/mnist-backdoor.md)",
    "mnist-dp": "same CNN, DP-SGD (Abadi et al. 2016), epsilon 1.95 at delta 1e-5, 84.2 % held-out accuracy",
    "mnist-smooth-0.25": "same CNN, Gaussian noise training at sigma 0.25, for randomized smoothing (Cohen et al. 2019)",
    "mnist-smooth-0.50": "same CNN, Gaussian noise training at sigma 0.5, for randomized smoothing (Cohen et al. 2019)",
}
for _name, _description in MNIST_BUILTINS.items():
    MODELS.register(ModelInfo(name=_name, task=MNIST_TASK, description=_description, build=partial(build_mnist, _name)))

#: The shipped road-sign models (one CNN, two trainings) and their one-line descriptions.
GTSRB_BUILTINS = {
    "gtsrb-standard": "VGG-style CNN for GTSRB road signs, standard training, 98.1 % on the test set "
    "(see resources/models/gtsrb-standard.md)",
    "gtsrb-pgd-at": "same CNN, PGD adversarial training, Linf eps 8/255 (Madry et al. 2018): 88.9 % clean, "
    "46.5 % robust at 8/255 under APGD",
}
for _name, _description in GTSRB_BUILTINS.items():
    MODELS.register(ModelInfo(name=_name, task=GTSRB_TASK, description=_description, build=partial(build_gtsrb, _name)))
