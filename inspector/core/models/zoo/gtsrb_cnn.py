"""A VGG-style CNN for road signs (GTSRB, 43 classes, 32x32 RGB), and the shipped variants.

Why this net: the road-sign attack literature uses small plain CNNs at 32x32 (Sermanet
and LeCun 2011's multi-scale CNN; Eykholt et al. 2018's GTSRB-CNN, arXiv:1707.08945);
stacked 3x3 convolutions with batch normalisation (Simonyan and Zisserman 2015,
arXiv:1409.1556; Ioffe and Szegedy 2015) reach their accuracy in a few CPU epochs, and
five convolutions with max pooling are cheap enough to train adversarially on a CPU.
The weights live in ``resources/models/gtsrb-<variant>.safetensors`` (float16) with a
model card beside them; ``bench/train_gtsrb.py`` reproduces them.
"""

from __future__ import annotations

import torch
from torch import nn

from inspector.core.io.resources import resource_path
from inspector.core.models.classifier import Classifier
from inspector.core.models.formats.state_dict import read_state_dict
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import one_line, show_path

#: GTSRB's 43 classes in the benchmark's order (Stallkamp et al. 2012).
CLASS_NAMES = (
    "speed limit 20",
    "speed limit 30",
    "speed limit 50",
    "speed limit 60",
    "speed limit 70",
    "speed limit 80",
    "end of speed limit 80",
    "speed limit 100",
    "speed limit 120",
    "no passing",
    "no passing for vehicles over 3.5 t",
    "right-of-way at the next intersection",
    "priority road",
    "yield",
    "stop",
    "no vehicles",
    "vehicles over 3.5 t prohibited",
    "no entry",
    "general caution",
    "dangerous curve to the left",
    "dangerous curve to the right",
    "double curve",
    "bumpy road",
    "slippery road",
    "road narrows on the right",
    "road work",
    "traffic signals",
    "pedestrians",
    "children crossing",
    "bicycles crossing",
    "beware of ice/snow",
    "wild animals crossing",
    "end of all speed and passing limits",
    "turn right ahead",
    "turn left ahead",
    "ahead only",
    "go straight or right",
    "go straight or left",
    "keep right",
    "keep left",
    "roundabout mandatory",
    "end of no passing",
    "end of no passing by vehicles over 3.5 t",
)
TASK = "GTSRB road signs, 43 classes, 32x32 RGB"
INPUT_SIZE = (32, 32)


def _conv(inputs: int, outputs: int) -> list[nn.Module]:
    return [nn.Conv2d(inputs, outputs, 3, padding=1, bias=False), nn.BatchNorm2d(outputs), nn.ReLU()]


class GtsrbCNN(nn.Module):
    """conv(32)-pool-conv(64)-conv(64)-pool-conv(128)-conv(128)-pool-dropout-fc(256)-fc(K).

    3x3 convolutions, each with batch normalisation and ReLU; 0.8 M parameters.

    forward: x (N, 3, 32, 32) RGB in [0, 1] -> logits (N, num_classes), 43 for GTSRB.
    The input is taken in channels-last memory order (several times faster convolutions on a CPU).
    """

    def __init__(self, num_classes: int = len(CLASS_NAMES), dropout: float = 0.3):
        super().__init__()
        self.features = nn.Sequential(
            *_conv(3, 32),
            nn.MaxPool2d(2),
            *_conv(32, 64),
            *_conv(64, 64),
            nn.MaxPool2d(2),
            *_conv(64, 128),
            *_conv(128, 128),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(dropout), nn.Linear(128 * 4 * 4, 256), nn.ReLU(), nn.Linear(256, num_classes)
        )
        self.to(memory_format=torch.channels_last)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x.contiguous(memory_format=torch.channels_last)))


#: The shipped road-sign models and the command that makes each.
MAKE_COMMAND = {
    "gtsrb-standard": "python bench/train_gtsrb.py standard --epochs 15",
    "gtsrb-pgd-at": "python bench/train_gtsrb.py pgd-at --epochs 10 --pgd-steps 3 --warmup 2",
}


def build_gtsrb(name: str) -> Classifier:
    """The shipped road-sign model ``name`` (a key of :data:`MAKE_COMMAND`): RGB 32x32 in [0, 1], 43 classes.

    Raises:
        ModelError: its weights file is missing or is not GtsrbCNN weights.
    """
    path = resource_path("models", f"{name}.safetensors")
    if not path.is_file():
        raise ModelError(f"{show_path(path)}: weights missing; run `{MAKE_COMMAND[name]}` to make them")
    net = GtsrbCNN()
    try:
        net.load_state_dict(read_state_dict(path))
    except RuntimeError as exc:  # missing, unexpected or misshapen keys
        raise ModelError(f"{show_path(path)}: not GtsrbCNN weights ({one_line(exc)})") from None
    return Classifier(net.eval(), name=name, input_size=INPUT_SIZE, channels=3, class_names=CLASS_NAMES, task=TASK)
