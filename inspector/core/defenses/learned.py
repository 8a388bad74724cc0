"""The learned adversarial detector as a detector of the tool: ``learned:file=DETECTOR.safetensors``.

Metzen, Genewein, Fischer and Bischoff 2017, "On Detecting Adversarial Perturbations", ICLR,
arXiv:1702.04267. The score is the detector network's logit; like every detector's, its threshold
is calibrated on clean images at ``fpr`` (:meth:`~inspector.core.defenses.detection.Detector.calibrate`).
It recognises the attack it was trained on, and others only as far as they look alike: see
:mod:`inspector.core.learned_detector.rates`. Train one with ``inspector detector train``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import torch

from inspector.core.defenses.detection import Detector, fpr_param, register
from inspector.core.defenses.detector_file import DetectorInfo, load_detector
from inspector.core.defenses.detector_net import DetectorNet
from inspector.core.util.errors import ModelError, ParameterError
from inspector.core.util.params import param


@register
@dataclass
class LearnedDetector(Detector):
    """A trained detector network (Metzen et al. 2017, arXiv:1702.04267), read from ``file``.

    Score: the network's logit, any real number; one forward pass of the small detector per image.

    :meth:`score` raises ParameterError when no ``file`` is given, and ModelError when the file or its
    sidecar is refused (see :func:`~inspector.core.defenses.detector_file.load_detector`) or the
    model's inputs are not the shape the detector was trained on.
    """

    name = "learned"
    title = "Learned detector (one attack)"
    paper = "Metzen, Genewein, Fischer and Bischoff 2017, On Detecting Adversarial Perturbations, arXiv:1702.04267"

    file: str = param("", "the detector's .safetensors file (with its .detector.json), from inspector detector train")
    fpr: float = fpr_param()
    _loaded: tuple[str, float, DetectorNet, DetectorInfo] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def spec(self) -> str:
        """As every component's, less ``file=`` while no file is given (a spec holds no empty value)."""
        text = super().spec()
        return text.replace("file=,", "") if not self.file else text

    def network(self) -> tuple[DetectorNet, DetectorInfo]:
        """The network and sidecar of ``file``, read again when the file changed.

        Raises:
            ParameterError: ``file`` is empty.
            ModelError: as :func:`~inspector.core.defenses.detector_file.load_detector`.
        """
        if not self.file:
            raise ParameterError("the learned detector needs its file: learned:file=DETECTOR.safetensors")
        try:
            stamp = os.stat(self.file).st_mtime
        except OSError:
            stamp = -1.0  # load_detector says what is wrong
        if self._loaded is None or self._loaded[:2] != (self.file, stamp):
            self._loaded = (self.file, stamp, *load_detector(self.file))
        return self._loaded[2], self._loaded[3]

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """(N,) detector logits of x (N, C, H, W) in [0, 1], differentiable in x (for adaptive attacks).

        Raises:
            ModelError: x is not of the shape the detector was trained on.
        """
        net, info = self.network()
        if tuple(x.shape[1:]) != (info.channels, info.height, info.width):
            raise ModelError(
                f"the learned detector {self.file} reads {info.channels}x{info.height}x{info.width} inputs "
                f"(trained on {info.model}), not {'x'.join(map(str, x.shape[1:]))}"
            )
        return net.to(x.device)(x)

    def score(self, model, x):
        with torch.no_grad():
            return self.logits(x).cpu()
