"""One "train a detector" job, as the command line and the app run it: check every input, load the
images, make the attack's adversarials, fit, calibrate, write ``NAME.safetensors`` and its sidecar.

Everything is checked before the first adversarial is made: the output name and folder, the
attack and its parameters, the images (enough of them for ``fpr``). A stopped job writes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from inspector.core.attacks.base import make_attack
from inspector.core.defenses.detector_file import check_weights_path, save_detector, sidecar_path
from inspector.core.defenses.detector_net import MAX_WIDTH
from inspector.core.io.out_folder import check_file
from inspector.core.learned_detector.data import check_enough, load_detector_data
from inspector.core.learned_detector.suite import DEFAULT_ATTACK, default_eps
from inspector.core.learned_detector.train import DetectorProgress, TrainedDetector, train_detector
from inspector.core.models.classifier import Classifier
from inspector.core.util.bounds import check_count
from inspector.core.util.errors import ParameterError

#: The most training epochs.
MAX_EPOCHS = 1000


@dataclass
class DetectorJob:
    """What to train: a detector of ``attack`` (with ``params``; budgeted Linf attacks get the model's
    default ``eps`` unless given: 0.3 for grey models, 8/255 for colour) from the images ``data``
    (:func:`~inspector.core.learned_detector.data.load_detector_data`), written to ``out``."""

    data: str
    out: str | os.PathLike
    attack: str = DEFAULT_ATTACK
    params: dict | None = None
    fpr: float = 0.05
    epochs: int = 5
    filters: int = 16
    limit: int | None = None
    held_out: int | None = 1000
    seed: int = 0


def run_job(
    model: Classifier,
    job: DetectorJob,
    *,
    on_progress: Callable[[DetectorProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainedDetector | None:
    """Train and save the detector ``job`` describes; None (nothing written) when ``should_stop()`` ended it.

    Raises:
        ModelError: ``out`` does not end in ``.safetensors``.
        ExportError: ``out`` or its sidecar cannot be written there.
        ParameterError: a bad attack, parameter, ``fpr``, count, or too few images (see
            :func:`~inspector.core.learned_detector.data.check_enough`).
        ImageError, ClassNameError: as :func:`~inspector.core.learned_detector.data.load_detector_data`.
    """
    out = check_weights_path(job.out)
    check_file(out, option="--out")
    check_file(sidecar_path(out), option="--out")
    if not 0 < job.fpr <= 0.5:
        raise ParameterError(f"fpr must be in (0, 0.5], not {job.fpr:g}", param="fpr")
    check_count(job.epochs, "epochs", maximum=MAX_EPOCHS, param="epochs")
    check_count(job.filters, "filters", maximum=MAX_WIDTH, param="filters")
    params = dict(job.params or {})
    attack = make_attack(job.attack, params)
    if attack.budget_parameter and attack.budget_parameter not in params and getattr(attack, "norm", "linf") == "linf":
        attack = make_attack(job.attack, params | {attack.budget_parameter: default_eps(model)})
    data = load_detector_data(job.data, model, limit=job.limit, held_out=job.held_out, seed=job.seed)
    check_enough(data, job.fpr)
    trained = train_detector(
        model,
        data,
        attack,
        fpr=job.fpr,
        epochs=job.epochs,
        filters=job.filters,
        seed=job.seed,
        on_progress=on_progress,
        should_stop=should_stop,
    )
    if trained is not None:
        save_detector(out, trained.net, trained.info)
    return trained
