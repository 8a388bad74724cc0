"""``inspector harden``: adversarial fine-tuning of the user's own model, with a before/after card.

Every input is checked before any training and before anything is written (the method and its
parameters, the seed, the model, eps, the output folder, then the data); the outputs
``<stem>-<method>.safetensors``, its sidecar and its card ``<stem>-<method>.md`` are written
together once training ends (:func:`~inspector.core.io.files.write_files`), and the checkpoint
``<stem>-<method>.ckpt`` written after each epoch is then removed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch

from inspector.core.io.files import write_files
from inspector.core.io.out_folder import check_folder
from inspector.core.models.formats.sidecar import SIDECAR_SUFFIX, write_sidecar
from inspector.core.models.loading import load_model
from inspector.core.models.zoo.mnist_cnn import save_weights
from inspector.core.training.hardening.card import model_card
from inspector.core.training.hardening.dataset import load_split
from inspector.core.training.hardening.scores import Accuracy, accuracy
from inspector.core.training.hardening.source import trainable_source
from inspector.core.training.loop import Progress
from inspector.core.training.methods import HARDENING_METHODS
from inspector.core.util.bounds import check_seed
from inspector.core.util.device import select_device
from inspector.core.util.errors import ParameterError

#: The Linf budget by the model's input: digits (1 channel) as Madry et al. on MNIST, RGB as on CIFAR-10.
DEFAULT_EPS = {1: 0.3, 3: 8 / 255}
#: The budgets of the card, as multiples of eps (0: clean).
CARD_BUDGETS = (0.0, 0.5, 1.0)
#: Validation images attacked after each epoch for the robust curve (every k-th of the split).
EPOCH_ROBUST_IMAGES = 512


@dataclass
class EpochScore:
    """After one epoch: mean training loss, clean validation accuracy, and robust accuracy under
    PGD-10 at eps on up to :data:`EPOCH_ROBUST_IMAGES` validation images, fractions in [0, 1]."""

    epoch: int
    loss: float
    clean: float
    robust: float
    seconds: float


@dataclass
class HardenReport:
    """What :func:`harden` did; ``weights``, ``sidecar`` and ``card`` exist when ``finished``."""

    name: str
    method: str
    architecture: str
    weights: Path
    sidecar: Path
    card: Path
    eps: float
    data: str
    epochs: int
    finished: bool
    seconds: float
    before: list[Accuracy] = field(default_factory=list)
    after: list[Accuracy] = field(default_factory=list)
    scores: list[EpochScore] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def harden(
    model: str,
    method: str = "pgd-at",
    *,
    data: str | os.PathLike,
    out_dir: str | os.PathLike,
    weights: str | os.PathLike | None = None,
    params: dict | None = None,
    epochs: int | None = None,
    eps: float | None = None,
    seed: int = 0,
    resume: bool = False,
    limit: int | None = None,
    device: str | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    on_epoch: Callable[[EpochScore], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> HardenReport:
    """Adversarially fine-tune ``model`` (a built-in name, or an architecture with ``weights``) on
    ``data`` (a labelled folder, or ``mnist-train``) with ``method`` (:data:`HARDENING_METHODS`).

    ``eps`` is the Linf threat budget in [0, 1] pixel units (default :data:`DEFAULT_EPS` by the
    model's channels): the budget of the scores, and the training budget unless ``params`` sets
    ``eps`` or the method keeps its own (FGSM augmentation's 0.1, unless ``eps`` is given).
    ``params`` sets the method's parameters by name; ``epochs``, when not None, its epochs.
    ``on_epoch`` gets each epoch's :class:`EpochScore`; ``should_stop`` stops after the batch in
    progress (the checkpoint of the last whole epoch stays, and ``resume`` continues from it to the
    same weights as an uninterrupted run). ``limit`` takes the first ``limit`` images of the set only
    (quick trials, tests). ``device``: see :func:`~inspector.core.util.device.select_device` (None: a
    GPU when there is one).

    Raises:
        ParameterError: unknown method, a bad parameter, seed out of range, eps not in (0, 1].
        ModelError: the model cannot be trained here (see
            :func:`~inspector.core.training.hardening.source.trainable_source`); a checkpoint is unreadable.
        ImageError, ClassNameError: the data are refused (see
            :func:`~inspector.core.training.hardening.dataset.load_split`).
        ExportError: the output folder or a file in it cannot be written.
        DeviceError: ``device`` is unavailable.
    """
    given = dict(params or {}) | ({} if epochs is None else {"epochs": epochs})
    recipe = HARDENING_METHODS.make(method, given)
    check_seed(seed, "the seed", param="seed")
    dev = select_device(device)
    source = trainable_source(model, weights)
    budget = _checked_eps(DEFAULT_EPS[source.model.channels] if eps is None else eps)
    if "eps" not in given and (recipe.eps_is_budget or eps is not None):
        recipe = HARDENING_METHODS.make(method, given | {"eps": budget})
    name = f"{source.stem}-{recipe.name}"
    out = Path(out_dir)
    names = (f"{name}.safetensors", f"{name}.safetensors{SIDECAR_SUFFIX}", f"{name}.md")
    checkpoint = out / f"{name}.ckpt"
    check_folder(out, [*names, checkpoint.name])
    split = load_split(data, source.model, limit=limit)
    start = time.perf_counter()
    x_val, y_val = split.x_val.to(dev), split.y_val.to(dev)
    budgets = [b * budget for b in CARD_BUDGETS]
    frozen = load_model(model, dev, weights=weights)  # the loaded models are cached: never moved in place
    before = [accuracy(frozen, x_val, y_val, b) for b in budgets]

    torch.manual_seed(seed)
    net = source.trainable_copy().to(dev)
    every = max(1, len(y_val) // EPOCH_ROBUST_IMAGES)
    rx, ry = x_val[::every][:EPOCH_ROBUST_IMAGES], y_val[::every][:EPOCH_ROBUST_IMAGES]
    scores: list[EpochScore] = []
    last = {"loss": float("nan"), "time": time.perf_counter()}

    def progress(p: Progress) -> None:
        last["loss"] = p.loss
        if on_progress is not None:
            on_progress(p)

    def score(done: int) -> None:
        clean = accuracy(net, x_val, y_val, 0.0).rate
        robust = accuracy(net, rx, ry, budget, steps=10).rate
        entry = EpochScore(done, last["loss"], clean, robust, time.perf_counter() - last["time"])
        last["time"] = time.perf_counter()
        scores.append(entry)
        if on_epoch is not None:
            on_epoch(entry)

    fitted = recipe.fit(
        net,
        split.x_train.to(dev),
        split.y_train.to(dev),
        seed=seed,
        checkpoints=[checkpoint],
        resume=resume,
        on_progress=progress,
        should_stop=should_stop,
        on_epoch=score,
    )
    report = HardenReport(
        name=name,
        method=recipe.name,
        architecture=source.architecture,
        weights=out / names[0],
        sidecar=out / names[1],
        card=out / names[2],
        eps=budget,
        data=split.description,
        epochs=recipe.epochs,
        finished=fitted.finished,
        seconds=0.0,
        before=before,
        scores=scores,
        notes=fitted.notes,
    )
    if not fitted.finished:
        report.seconds = time.perf_counter() - start
        return report
    net.eval()
    report.after = [accuracy(net, x_val, y_val, b) for b in budgets]
    report.seconds = time.perf_counter() - start
    settings = {"method": recipe.name, "epochs": str(recipe.epochs), "lr": str(recipe.lr), "seed": str(seed)}
    settings |= fitted.metadata | {"source": str(model) if weights is None else f"{model} {weights}"}
    _write(report, net.net.cpu(), source, settings, recipe, out)
    checkpoint.unlink(missing_ok=True)
    return report


def _checked_eps(eps: float) -> float:
    if not isinstance(eps, int | float) or not 0 < eps <= 1:
        raise ParameterError(
            f"eps {eps!r} is out of range: a Linf budget above 0 and at most 1 (pixels in [0, 1])", param="eps"
        )
    return float(eps)


def _write(report: HardenReport, net: torch.nn.Module, source, settings: dict[str, str], recipe, out: Path) -> None:
    model = source.model
    sidecar = {
        "input_size": list(model.input_size),
        "channels": model.channels,
        "mean": model.mean.flatten().tolist(),
        "std": model.std.flatten().tolist(),
        "class_names": list(model.class_names),
        "task": f"{model.task}, hardened by {recipe.name} at Linf eps {report.eps:g}"[:256],
        "resize": model.resize,
    }
    epoch_lines = ["| epoch | train loss | clean | robust (PGD-10 at eps) |", "|---|---|---|---|"] + [
        f"| {s.epoch} | {s.loss:.4f} | {s.clean:.1%} | {s.robust:.1%} |" for s in report.scores
    ]
    card = model_card(
        name=report.name,
        source=settings["source"],
        architecture=report.architecture,
        method=recipe.title,
        paper=recipe.paper,
        settings=settings,
        data=report.data,
        eps=report.eps,
        before=report.before,
        after=report.after,
        epoch_lines=epoch_lines,
        seconds=report.seconds,
        notes=report.notes,
    )

    def weights(path: Path) -> None:
        save_weights(net, path, settings)

    def metadata(path: Path) -> None:
        write_sidecar(path.with_name(report.weights.name), sidecar)

    def text(path: Path) -> None:
        path.write_text(card, encoding="utf-8")

    write_files(out, {report.weights.name: weights, report.sidecar.name: metadata, report.card.name: text})
