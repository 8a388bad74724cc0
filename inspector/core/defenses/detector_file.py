"""A learned detector on disk: its weights (``NAME.safetensors``) and its sidecar (``NAME.detector.json``).

The sidecar says what the weights are for: the input shape, the width of the network, the model
and the attack it was trained on, and the threshold calibrated at training for a false positive
rate. Both files may come from an attacker: they are read bounded (:mod:`inspector.core.io.untrusted`),
every sidecar field is checked for its type and range, and every tensor must have the name, shape
and dtype the sidecar's network has, with finite values, before any of it is used. Each refusal
is one :class:`~inspector.core.util.errors.ModelError` line naming the file.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load, save

from inspector.core.defenses.detector_net import MAX_CHANNELS, MAX_SIDE, MAX_WIDTH, DetectorNet
from inspector.core.io.file_fields import check_fields, real, text, whole
from inspector.core.io.files import write_atomically
from inspector.core.io.untrusted import parse_json, read_bytes, read_text
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import one_line, show_path

#: What the sidecar's ``format`` field holds.
FORMAT = "robustness-inspector learned detector"
VERSION = 1
#: The largest weights file read, in bytes (the default network is 0.1 MB; width 128 is 4.5 MB).
MAX_WEIGHTS_BYTES = 16 * 2**20
#: The largest sidecar read, in bytes.
MAX_SIDECAR_BYTES = 64 * 2**10
SIDECAR_SUFFIX = ".detector.json"

_FIELDS = {
    "format": text(64),
    "version": whole(VERSION, VERSION),
    "channels": whole(1, MAX_CHANNELS),
    "height": whole(1, MAX_SIDE),
    "width": whole(1, MAX_SIDE),
    "filters": whole(1, MAX_WIDTH),
    "model": text(),
    "attack": text(),
    "data": text(),
    "fpr": real(),
    "threshold": real(),
    "calibration_images": whole(1, MAX_COUNT),
    "training_images": whole(1, MAX_COUNT),
}


@dataclass(frozen=True)
class DetectorInfo:
    """The sidecar: what a detector's weights are for.

    Attributes:
        channels, height, width: the input shape (C, H, W) it reads, in pixels.
        filters: the width of :class:`~inspector.core.defenses.detector_net.DetectorNet`.
        model: the model spec whose adversarials it was trained on.
        attack: the attack spec (``"fgsm:eps=0.3,..."``) it was trained on.
        data: one line on the clean images it was trained and calibrated on.
        fpr: the false positive rate in (0, 0.5] its threshold was calibrated for.
        threshold: the logit above which it flags, calibrated on ``calibration_images`` held-out clean images.
        training_images: the clean images it was trained on (as many adversarials beside them).
    """

    channels: int
    height: int
    width: int
    filters: int
    model: str
    attack: str
    data: str
    fpr: float
    threshold: float
    calibration_images: int
    training_images: int


def sidecar_path(path: str | os.PathLike) -> Path:
    """``NAME.detector.json`` beside ``NAME.safetensors``."""
    path = Path(path)
    return path.with_name(path.name.removesuffix(".safetensors") + SIDECAR_SUFFIX)


def check_weights_path(path: str | os.PathLike) -> Path:
    """``path`` if it ends in ``.safetensors``.

    Raises:
        ModelError: it does not.
    """
    if not str(path).endswith(".safetensors"):
        raise ModelError(f"{show_path(path)}: a learned detector is a .safetensors file (and its {SIDECAR_SUFFIX})")
    return Path(path)


def save_detector(path: str | os.PathLike, net: DetectorNet, info: DetectorInfo) -> None:
    """Write the weights to ``path`` (``.safetensors``) and the sidecar beside it, each all or nothing.

    Raises:
        ModelError: ``path`` does not end in ``.safetensors``.
        ExportError: a file cannot be written.
    """
    path = check_weights_path(path)
    state = {k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}
    data = save(state)
    sidecar = json.dumps({"format": FORMAT, "version": VERSION, **asdict(info)}, indent=2) + "\n"
    write_atomically(path, lambda fh: fh.write(data))
    write_atomically(sidecar_path(path), lambda fh: fh.write(sidecar.encode("utf-8")))


def load_detector(path: str | os.PathLike) -> tuple[DetectorNet, DetectorInfo]:
    """The network (eval mode, frozen, CPU) and sidecar of the detector saved at ``path``.

    Raises:
        ModelError: a file is missing, too large, not a regular file; the sidecar is not JSON of
            this format with every field in range; the weights are not safetensors, or their names,
            shapes or dtypes differ from the sidecar's network, or a value is not finite.
    """
    path = check_weights_path(path)
    info = _read_sidecar(sidecar_path(path))
    shown = show_path(path)
    try:
        state = load(read_bytes(path, ModelError, "detector weights", MAX_WEIGHTS_BYTES))
    except (SafetensorError, ValueError) as exc:
        raise ModelError(f"{shown}: not a safetensors file ({one_line(exc)})") from None
    net = DetectorNet(info.channels, info.filters)
    expected = net.state_dict()
    if set(state) != set(expected):
        odd = sorted(set(state) ^ set(expected))
        raise ModelError(f"{shown}: not the weights of a width-{info.filters} detector (tensor {odd[0]!r})")
    for name, tensor in state.items():
        want = expected[name]
        if tensor.shape != want.shape or tensor.dtype != want.dtype:
            raise ModelError(
                f"{shown}: {name!r} is {tensor.dtype} {tuple(tensor.shape)}, the sidecar's network has "
                f"{want.dtype} {tuple(want.shape)}"
            )
        if not torch.isfinite(tensor).all():
            raise ModelError(f"{shown}: {name!r} holds values that are not finite")
    net.load_state_dict(state)
    net.eval().requires_grad_(False)
    return net, info


def _read_sidecar(path: Path) -> DetectorInfo:
    shown = show_path(path)
    data = parse_json(read_text(path, ModelError, "detector sidecar", MAX_SIDECAR_BYTES), shown, ModelError)
    values = check_fields(data, _FIELDS, shown, ModelError, required=tuple(_FIELDS))
    if values.pop("format") != FORMAT:
        raise ModelError(f"{shown}: not a learned detector's sidecar (its format is not {FORMAT!r})")
    values.pop("version")
    if not 0 < values["fpr"] <= 0.5:
        raise ModelError(f"{shown}: 'fpr' must be in (0, 0.5], not {values['fpr']}")
    return DetectorInfo(**values)
