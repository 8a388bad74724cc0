"""A small CNN with dropout for MNIST digits, and the shipped variants.

The weights live in ``resources/models/<name>.safetensors`` with a model card
``<name>.md`` beside them; ``inspector train`` reproduces them (see
:mod:`inspector.core.training`). The network takes 28x28 grey pixels in
[0, 1] directly (no normalisation) and returns 10 logits.
"""

from __future__ import annotations

import os
import pickle
import struct
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from inspector.core.io.resources import resource_path
from inspector.core.models.classifier import Classifier
from inspector.core.util.errors import ExportError, ModelError
from inspector.core.util.messages import one_line, show_path

CLASS_NAMES = tuple(str(d) for d in range(10))
TASK = "MNIST digits, 10 classes, 28x28 grey"

#: Built-in name -> the ``inspector train`` method that makes it.
MNIST_MODELS = {
    "mnist-standard": "standard",
    "mnist-pgd-at": "pgd-at",
    "mnist-distilled": "distilled",
    "mnist-dp": "dp",
}
#: The command that makes each built-in MNIST model.
#: The noise level each Gaussian-noise-trained built-in was trained at, the sigma to certify it with
#: (randomized smoothing, :mod:`inspector.core.certify`).
SMOOTHING_SIGMA = {"mnist-smooth-0.25": 0.25, "mnist-smooth-0.50": 0.5}
MAKE_COMMAND = (
    {name: f"inspector train {method}" for name, method in MNIST_MODELS.items()}
    | {"mnist-backdoor": "inspector poison --trigger pixel --target 0 --rate 1%"}
    | {name: f"inspector train smooth --sigma {sigma}" for name, sigma in SMOOTHING_SIGMA.items()}
)

# What reading a bad weights file raises: safetensors' header errors; torch.load's pickle, zip and
# truncation errors (struct.error for junk bytes); load_state_dict's TypeError (not a dict) and
# RuntimeError (wrong keys or shapes). A missing package is not among them: it fails at import.
_BAD_FILE_ERRORS = (
    SafetensorError,
    pickle.UnpicklingError,
    struct.error,
    EOFError,
    OSError,
    RuntimeError,
    TypeError,
    ValueError,
)


class MnistCNN(nn.Module):
    """conv5x5(32)-pool-conv5x5(64)-pool-dropout-fc(256)-dropout-fc(10), ReLU.

    forward: x (N, 1, 28, 28) in [0, 1] -> logits (N, num_classes), 10 for digits.
    """

    def __init__(self, dropout: float = 0.25, num_classes: int = 10):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 5, padding=2),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(64 * 7 * 7, 256),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(256, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def weights_path(name: str) -> Path:
    """Where the shipped weights of built-in model ``name`` live."""
    return resource_path("models", f"{name}.safetensors")


def save_weights(
    net: nn.Module, path: str | os.PathLike, metadata: dict[str, str] | None = None, dtype: torch.dtype | None = None
) -> None:
    """Write ``net``'s state dict as safetensors, atomically (temporary file, then ``os.replace``).

    ``dtype`` (e.g. ``torch.float16``, half the file) converts the floating-point tensors; loading
    converts them back to the network's float32. A symbolic link or anything but a regular
    file at ``path`` is refused, never written through.

    Raises:
        ExportError: the file cannot be written, or something other than a regular file is in its place.
    """
    from safetensors.torch import save

    from inspector.core.io.files import write_atomically
    from inspector.core.io.out_folder import check_member

    path = Path(path)
    check_member(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot write {show_path(path)}: {exc.strerror or exc}") from None
    state = {
        k: (v.to(dtype) if dtype is not None and v.is_floating_point() else v).contiguous()
        for k, v in net.state_dict().items()
    }
    data = save(state, metadata=metadata)
    write_atomically(path, lambda fh: fh.write(data))


def load_mnist_cnn(path: str | os.PathLike, name: str) -> Classifier:
    """A :class:`Classifier` from MnistCNN weights in a safetensors file or a ``torch.save`` state dict.

    State dicts are read with ``weights_only=True``, so a file cannot run code.

    Raises:
        ModelError: the file is missing, unreadable, or not MnistCNN weights.
    """
    path = Path(path)
    if not path.is_file():
        command = MAKE_COMMAND.get(name, "inspector train standard")
        raise ModelError(f"{show_path(path)}: weights missing; run `{command}` to make them")
    try:
        if path.suffix == ".safetensors":
            state = load_file(str(path))
        else:
            state = torch.load(path, map_location="cpu", weights_only=True)
        net = MnistCNN()
        net.load_state_dict(state)
    except _BAD_FILE_ERRORS as exc:
        raise ModelError(f"{show_path(path)}: not MnistCNN weights ({one_line(exc)})") from None
    return Classifier(net, name=name, input_size=(28, 28), channels=1, class_names=CLASS_NAMES, task=TASK)


def build_mnist(name: str) -> Classifier:
    """The shipped built-in MNIST model ``name`` (one of :data:`MAKE_COMMAND`)."""
    return load_mnist_cnn(weights_path(name), name)
