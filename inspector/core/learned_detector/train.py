"""Fitting a learned detector on clean images and the adversarials one attack makes of them.

Metzen, Genewein, Fischer and Bischoff 2017, "On Detecting Adversarial Perturbations", ICLR,
arXiv:1702.04267, section 3: the attack is run on every training image against the frozen
classifier; the detector learns clean (0) against adversarial (1) with the binary cross-entropy,
by Adam. Its threshold is the conformal quantile of its logits on held-out clean images
(:func:`~inspector.core.defenses.detection.conformal_threshold`), so that on new clean images it
flags at most ``fpr`` of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch.nn.functional import binary_cross_entropy_with_logits

from inspector.core.attacks.base import Attack
from inspector.core.defenses.detection import conformal_threshold
from inspector.core.defenses.detector_file import DetectorInfo
from inspector.core.defenses.detector_net import DetectorNet
from inspector.core.learned_detector.data import DetectorData, check_enough
from inspector.core.models.classifier import Classifier
from inspector.core.training.loop import Progress, fit

#: Images attacked at once.
ATTACK_BATCH = 256


@dataclass
class DetectorProgress:
    """Where training stands: ``stage`` is ``"attack"`` (adversarials made: ``done`` of ``total`` images)
    or ``"train"`` (``done`` of ``total`` batches over all epochs; ``loss`` the epoch's mean so far)."""

    stage: str
    done: int
    total: int
    loss: float | None = None


@dataclass
class TrainedDetector:
    """A fitted detector and its sidecar; ``fooled`` is the share of training adversarials that fool the model."""

    net: DetectorNet
    info: DetectorInfo
    fooled: float


def attack_spec(attack: Attack) -> str:
    """``name:key=value,...`` of an attack and all its parameter values (for the sidecar and the table)."""
    return f"{attack.name}:" + ",".join(f"{s.name}={getattr(attack, s.name)}" for s in attack.params())


def adversarials(
    model: Classifier,
    attack: Attack,
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    on_batch: Callable[[int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The attack's adversarials of x (N, C, H, W) with labels y (N,), in batches: (x_adv on the CPU,
    (N,) bool success), or None when ``should_stop()`` ended it. ``on_batch(images done)`` after each batch."""
    out, success = [], []
    for i in range(0, len(y), ATTACK_BATCH):
        result = attack.run(
            model,
            x[i : i + ATTACK_BATCH].to(model.device),
            y[i : i + ATTACK_BATCH].to(model.device),
            should_stop=should_stop,
        )
        if result.cancelled:
            return None
        out.append(result.x_adv.cpu())
        success.append(result.success.cpu())
        if on_batch is not None:
            on_batch(min(len(y), i + ATTACK_BATCH))
    return torch.cat(out), torch.cat(success)


def train_detector(
    model: Classifier,
    data: DetectorData,
    attack: Attack,
    *,
    fpr: float = 0.05,
    epochs: int = 5,
    filters: int = 16,
    batch_size: int = 128,
    seed: int = 0,
    on_progress: Callable[[DetectorProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainedDetector | None:
    """Train a detector of ``attack``'s adversarials on ``model``; None when ``should_stop()`` ended it.

    The enough-images check comes first, before any attack runs.

    Raises:
        ParameterError: too few training images, or held-out images too few to calibrate ``fpr``
            (:func:`~inspector.core.learned_detector.data.check_enough`).
        ModelError: the model fails on the images.
    """
    check_enough(data, fpr)
    n = len(data.y_train)
    report = (lambda p: None) if on_progress is None else on_progress
    made = adversarials(
        model,
        attack,
        data.x_train,
        data.y_train,
        on_batch=lambda done: report(DetectorProgress("attack", done, n)),
        should_stop=should_stop,
    )
    if made is None:
        return None
    x_adv, success = made
    x = torch.cat([data.x_train, x_adv]).to(model.device)
    labels = torch.cat([torch.zeros(n), torch.ones(n)]).to(model.device)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        net = DetectorNet(model.channels, filters).to(model.device)

    def loss(net, xb, yb, *, seed, progress):
        logits = net(xb)
        two_class = torch.stack([torch.zeros_like(logits), logits], 1)  # argmax 1 = "adversarial", for fit's accuracy
        return binary_cross_entropy_with_logits(logits, yb.float()), two_class

    def step(p: Progress) -> None:
        report(DetectorProgress("train", (p.epoch - 1) * p.batches + p.batch, p.epochs * p.batches, p.loss))

    finished = fit(
        net,
        x,
        labels,
        loss,
        stage="detector",
        epochs=epochs,
        batch_size=batch_size,
        seed=seed,
        on_progress=step,
        should_stop=should_stop,
    )
    if not finished:
        return None
    net.eval().requires_grad_(False)
    with torch.no_grad():
        scores = torch.cat(
            [
                net(data.x_calibration[i : i + 1024].to(model.device)).cpu()
                for i in range(0, len(data.y_calibration), 1024)
            ]
        )
    height, width = data.x_train.shape[2:]
    info = DetectorInfo(
        channels=model.channels,
        height=int(height),
        width=int(width),
        filters=filters,
        model=model.name,
        attack=attack_spec(attack),
        data=data.description,
        fpr=fpr,
        threshold=conformal_threshold(scores, fpr),
        calibration_images=len(scores),
        training_images=n,
    )
    return TrainedDetector(net.cpu(), info, float(success.float().mean()))
