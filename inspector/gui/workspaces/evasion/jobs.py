"""The Evasion workspace's long work, run as :class:`~inspector.gui.jobs.Job` functions.

:func:`preview_job` loads the model and the image, classifies it and, once
per model and device, measures the time of one gradient and one query (for
the attack panel's estimate);
:func:`attack_job` runs :func:`inspector.core.evasion.inspect.inspect` (or, with models to
compare, :func:`inspector.core.evasion.compare.compare`); :func:`mode_sweep_job` runs the
black-box attack once per output mode
(:func:`inspector.core.evasion.mode_sweep.sweep_modes`). They report small payloads
(floats and 224x224 uint8 arrays made on the worker thread); live frames are
throttled to :data:`FRAME_RATE`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from inspector.core.attacks import Step, make_attack
from inspector.core.certify.builtin import builtin_smoothing, certificate_text
from inspector.core.certify.smoothed import certify
from inspector.core.concealment import output_mode_from_spec
from inspector.core.evasion.classify import Classification, predict
from inspector.core.evasion.compare import Comparison, compare
from inspector.core.evasion.cost import UnitCost, measure_unit_cost
from inspector.core.evasion.inspect import Inspection, inspect
from inspector.core.evasion.mode_sweep import MODES, ModeRow, held_out_digits, sweep_modes
from inspector.core.evasion.recipe import Recipe
from inspector.core.io.conversion import conversion_note
from inspector.core.io.image import load_tensor
from inspector.core.io.visualize import diverging_colors, perturbation_map
from inspector.core.models.loading import load_model
from inspector.gui.jobs import Job
from inspector.gui.workspaces.evasion.state import Preview

#: Live image updates per second, at most.
FRAME_RATE = 15.0
#: Measured unit costs by (model spec, device), in the workers' thread settings.
UNIT_COSTS: dict[tuple[str, str], UnitCost] = {}


def to_pixels(x: torch.Tensor) -> np.ndarray:
    """(1, C, H, W) in [0, 1] -> (H, W, 3) uint8, grey repeated to RGB."""
    a = x[0].detach().float().cpu().clamp(0, 1).mul(255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    return np.repeat(a, 3, axis=2) if a.shape[2] == 1 else np.ascontiguousarray(a)


def perturbation_pixels(x: torch.Tensor, x_adv: torch.Tensor) -> tuple[np.ndarray, float]:
    """The perturbation as (H, W, 3) uint8 blue-white-red, and its scale in grey levels."""
    values, scale = perturbation_map(x.cpu(), x_adv.cpu())
    return diverging_colors(values), scale


@dataclass
class Progress:
    """One attack iteration, as sent to the GUI: numbers only."""

    iteration: int
    total: int
    loss: float
    true_probability: float


@dataclass
class Frame:
    """A throttled live picture of the current iterate."""

    adversarial: np.ndarray
    perturbation: np.ndarray
    scale: float


@dataclass
class Stage:
    """A model comparison starts attacking ``model``."""

    model: str


@dataclass
class ModeStage:
    """A comparison of output modes starts its run ``index`` (0-based) of ``total``, under ``title``."""

    index: int
    total: int
    title: str


@dataclass
class ModeSweep:
    """A finished comparison of output modes: the attack's title, the image's name, one row per mode,
    the attack's query budget per image (None: none) and the held-out digits attacked besides the image."""

    attack: str
    image: str
    rows: list[ModeRow]
    budget: int | None = None
    held_out: int = 0


@dataclass
class AttackOutcome:
    """A finished attack: the Inspection, its final pictures, when models were compared the Comparison,
    and for a built-in smoothing model the certificate of the original image as one line."""

    inspection: Inspection
    frame: Frame
    comparison: Comparison | None = None
    certificate: str | None = None


def preview_job(
    job: Job, image: str, model: str, device: str | None, weights: str | None = None, trust_code: bool = False
) -> Preview:
    """Load ``model`` (with ``weights``, ``trust_code``: see :func:`~inspector.core.models.loading.load_model`)
    on ``device`` and ``image``, classify it, and measure the unit cost (once per model and device:
    a few passes, a fraction of a second on a CPU).

    Raises:
        ImageError, ModelError, DeviceError.
    """
    clf = load_model(model, device, weights=weights, trust_code=trust_code)
    x = load_tensor(image, clf.input_size, clf.channels, clf.resize).to(clf.device)
    key = (model, weights, str(clf.device))
    if key not in UNIT_COSTS:
        UNIT_COSTS[key] = measure_unit_cost(clf, x)
    return Preview(
        to_pixels(x),
        predict(clf, x),
        clf.class_names,
        model,
        device,
        str(clf.device),
        tuple(x.shape[1:]),
        UNIT_COSTS[key],
        weights,
        trust_code,
        _conversion(image, clf),
    )


def _conversion(image: str, clf) -> str | None:
    """How ``image``'s colour was changed for ``clf`` (the file has just loaded: only its header is read again)."""
    try:
        with Image.open(image) as im:
            mode, size = im.mode, im.size
    except (OSError, ValueError):
        return None
    return conversion_note(mode, size, clf.channels, tuple(clf.input_size), clf.resize)


def attack_job(job: Job, recipe: Recipe, true_label: int, compare_with: list[str], direct: bool) -> AttackOutcome:
    """Attack as ``recipe`` says; with ``compare_with`` models, compare them on the same adversarial;
    for a built-in smoothing model, certify the original image too (randomized smoothing).

    Reports :class:`Progress` every iteration, a :class:`Frame` at most
    :data:`FRAME_RATE` times a second (of the first model's attack only) and a
    :class:`Stage` when a comparison attacks its next model. Stops at the next
    iteration once ``job`` is cancelled, keeping what it has.
    """
    clf = load_model(recipe.model, recipe.device, weights=recipe.weights, trust_code=recipe.trust_model_code)
    x = load_tensor(recipe.image, clf.input_size, clf.channels, clf.resize)
    frames = {"on": True, "last": 0.0}

    def on_step(step: Step) -> None:
        job.report(Progress(step.iteration, step.total, float(step.loss[0]), float(step.probabilities[0, true_label])))
        now = time.monotonic()
        if frames["on"] and now - frames["last"] >= 1.0 / FRAME_RATE:
            frames["last"] = now
            x_adv = step.x_adv[:1].detach().cpu()
            job.report(Frame(to_pixels(x_adv), *perturbation_pixels(x, x_adv)))

    def on_attack(model: str) -> None:
        frames["on"] = model == recipe.model
        job.report(Stage(model))

    comparison = None
    if compare_with:
        comparison = compare(
            recipe, compare_with, direct=direct, on_step=on_step, should_stop=job.cancelled, on_attack=on_attack
        )
        inspection = comparison.source
    else:
        inspection = inspect(recipe, model=clf, on_step=on_step, should_stop=job.cancelled)
    perturbation, scale = perturbation_pixels(inspection.x, inspection.x_adv)
    frame = Frame(to_pixels(inspection.x_adv), perturbation, scale)
    return AttackOutcome(inspection, frame, comparison, _certificate(job, recipe.model, clf, x))


def _certificate(job: Job, model: str, clf, x: torch.Tensor) -> str | None:
    """The certificate line of ``x`` under built-in smoothing model ``model``; None for another model or if cancelled."""
    smoothing = builtin_smoothing(model)
    if smoothing is None or job.cancelled():
        return None
    found = certify(clf, x.to(clf.device), smoothing, should_stop=job.cancelled)
    if found is None:
        return None
    label = None if found.label is None else clf.class_names[found.label]
    return certificate_text(label, found.radius, smoothing.sigma)


def mode_sweep_job(job: Job, recipe: Recipe, true_label: int, held_out: int = 0) -> ModeSweep:
    """Run ``recipe``'s black-box attack (untargeted) on its image, and on ``held_out`` shipped held-out
    digits the model gets right (:func:`~inspector.core.evasion.mode_sweep.held_out_digits`), once per output
    mode of :data:`~inspector.core.evasion.mode_sweep.MODES`, without the recipe's throttle or detector.

    Reports a :class:`ModeStage` before each mode and :class:`Progress` every iteration; once
    ``job`` is cancelled it stops and returns the modes it finished (the last one marked cancelled).

    Raises:
        ImageError (also: held-out digits for a model that does not take them), ModelError, DeviceError,
        ParameterError.
    """
    clf = load_model(recipe.model, recipe.device, weights=recipe.weights, trust_code=recipe.trust_model_code)
    x = load_tensor(recipe.image, clf.input_size, clf.channels, clf.resize).to(clf.device)
    y = torch.tensor([true_label], device=clf.device)
    if held_out:
        digits, labels = held_out_digits(clf, held_out)
        x, y = torch.cat([x, digits]), torch.cat([y, labels])
    attack = make_attack(recipe.attack, recipe.params)

    def on_mode(index: int, spec: str) -> None:
        job.report(ModeStage(index, len(MODES), output_mode_from_spec(spec).describe()))

    def on_step(step: Step) -> None:
        job.report(Progress(step.iteration, step.total, float(step.loss[0]), float(step.probabilities[0, true_label])))

    rows = sweep_modes(attack, clf, x, y, MODES, on_mode=on_mode, on_step=on_step, should_stop=job.cancelled)
    return ModeSweep(attack.title, Path(recipe.image).name, rows, getattr(attack, "max_queries", None), len(x) - 1)


@dataclass
class Stamped:
    """The current image with a backdoor trigger stamped on it: pictures and both predictions."""

    trigger: np.ndarray
    triggered: np.ndarray
    clean: Classification
    stamped: Classification
    description: str


def stamp_job(
    job: Job, image: str, model: str, device: str | None, weights: str | None, trust_code: bool, kind: str
) -> Stamped:
    """Stamp the ``kind`` trigger (see :mod:`inspector.core.poisoning.triggers`) on ``image`` as ``model``
    sees it and classify it before and after. The trigger is drawn on mid-grey where its mask is 0."""
    from inspector.core.poisoning.triggers import make_trigger

    clf = load_model(model, device, weights=weights, trust_code=trust_code)
    x = load_tensor(image, clf.input_size, clf.channels, clf.resize).to(clf.device)
    trigger = make_trigger(kind, tuple(x.shape[1:]))
    stamped = trigger.apply(x)
    picture = trigger.apply(torch.full_like(x, 0.5))
    return Stamped(to_pixels(picture), to_pixels(stamped), predict(clf, x), predict(clf, stamped), trigger.description)
