"""A physical attack from end to end, as the CLI runs it: check everything, make the pattern on one
set of images, measure it on another, save it.

:func:`prepare` does every check that needs no optimisation (the attack's and the views'
parameters, the model, both image sets, the target, the mask), so that bad input fails in
seconds; :meth:`Prepared.execute` then makes and measures the pattern (with the job's CPU thread
count, recorded: a pattern's bytes depend on it, see :mod:`inspector.core.util.threads`); :func:`save`
writes ``sticker.png`` (RGBA, alpha the mask, in the model's input frame) or ``perturbation.png``,
``sticker.pdf`` when the job asks for a print (:mod:`~inspector.core.physical.print_page`), and
``result.json``, whose ``recipe`` (:meth:`PhysicalJob.to_dict`) is what ``inspector replay`` runs
again (:mod:`inspector.core.replay.physical`).
"""

from __future__ import annotations

import dataclasses
import json
import time
from dataclasses import dataclass, field
from typing import Any

import torch

from inspector.core.defenses import DefendedClassifier, Pipeline, defense_from_spec
from inspector.core.evaluation.data import load_dataset
from inspector.core.io.files import write_files
from inspector.core.models.classifier import Classifier
from inspector.core.models.labels import resolve_class
from inspector.core.models.loading import load_model
from inspector.core.physical.attack import PHYSICAL_ATTACKS, PhysicalAttack
from inspector.core.physical.defended import defence_rows
from inspector.core.physical.evaluate import VIEWS_PER_IMAGE, evaluate_physical, random_sticker
from inspector.core.physical.masks import mask_from_image, shape_mask
from inspector.core.physical.print_page import DPI, check_print, save_pdf
from inspector.core.physical.result import PhysicalResult
from inspector.core.physical.views import WIDER, Views
from inspector.core.util.errors import ParameterError
from inspector.core.util.params import build
from inspector.core.util.threads import MAX_THREADS, intra_op_threads

#: The files :func:`save` writes: the pattern (by whether it is a sticker) and the summary.
STICKER, PERTURBATION, RESULT = "sticker.png", "perturbation.png", "result.json"
#: The print version of a sticker or patch (:func:`~inspector.core.physical.print_page.save_pdf`).
PRINT = "sticker.pdf"
#: The most images of one set (each is kept in memory at the model's input size).
MAX_IMAGES = 10_000


@dataclass
class PhysicalJob:
    """What to run. ``images`` and ``held_out`` are folders :func:`load_dataset` reads (labels from
    file names or ``labels.csv``); ``target`` a class index or name (None: untargeted); ``mask`` an
    image file (None: the attack's shape, two bars by default); ``views`` the :class:`Views` parameters as
    text or values; ``wider`` how much wider the evaluation's views are; ``weights`` and
    ``trust_code`` as :func:`~inspector.core.models.loading.load_model` takes them; ``threads`` the CPU
    intra-op thread count (None: torch's current one, recorded when run); ``print_mm`` the printed
    width of the sticker's frame or the patch in millimetres (None: no print), at ``dpi``;
    ``defenses`` input-transform defence specs (``"jpeg:quality=75"``) the held-out figures are also
    measured under, alone and together (:mod:`~inspector.core.physical.defended`); ``adaptive``: the
    pattern is made against the defended model (all of them, in order; BPDA and EOT) instead of the
    bare one."""

    kind: str
    images: str
    held_out: str | None = None
    model: str | None = None
    params: dict = field(default_factory=dict)
    views: dict = field(default_factory=dict)
    target: str | None = None
    mask: str | None = None
    wider: float = WIDER
    views_per_image: int = VIEWS_PER_IMAGE
    device: str | None = None
    weights: str | None = None
    trust_code: bool = False
    threads: int | None = None
    print_mm: float | None = None
    dpi: int = DPI
    defenses: list[str] = field(default_factory=list)
    adaptive: bool = False

    def to_dict(self) -> dict:
        """The job as JSON values: the recipe ``result.json`` records."""
        return dataclasses.asdict(self)


@dataclass
class Prepared:
    """A checked job, ready to run."""

    job: PhysicalJob
    attack: PhysicalAttack
    views: Views
    model: Classifier
    x: torch.Tensor
    y: torch.Tensor
    held_x: torch.Tensor | None
    held_y: torch.Tensor | None
    target: int | None
    mask: torch.Tensor | None
    pipeline: Pipeline = field(default_factory=Pipeline)

    def execute(self, on_step=None, should_stop=None) -> tuple[PhysicalResult, dict]:
        """Make the pattern, then measure it (and, for a sticker, a same-area random one on the same
        views) on the held-out images. Returns (result, summary dict)."""
        threads = self.job.threads or torch.get_num_threads()
        with intra_op_threads(threads):
            start = time.perf_counter()
            attacked = DefendedClassifier(self.model, self.pipeline) if self.job.adaptive else self.model
            result = self.attack.run(
                attacked,
                self.x,
                self.y,
                target=self.target,
                mask=self.mask,
                views=self.views,
                on_step=on_step,
                should_stop=should_stop,
            )
            made = time.perf_counter() - start
            summary = self._summary(result, made)
            if self.held_x is not None and not result.cancelled:
                summary["held_out"] = self.measure(result)
        ran_on = self.job.device or str(self.model.device)  # "auto" may pick another device elsewhere
        summary["recipe"] = dataclasses.replace(self.job, threads=threads, device=ran_on).to_dict()
        return result, summary

    def _summary(self, result: PhysicalResult, made: float) -> dict:
        return {
            "kind": self.attack.name,
            "attack": self.attack.spec(),
            "model": getattr(self.model, "name", str(self.job.model)),
            "target": None
            if self.target is None
            else {"index": self.target, "name": self.model.class_names[self.target]},
            "views": self.views.spec(),
            "images": int(self.x.shape[0]),
            "mask_area": float(result.mask.mean()),
            "iterations": result.iterations,
            "cancelled": result.cancelled,
            "train_success": result.train_success,
            "seconds_to_make": made,
        }

    def measure(self, result: PhysicalResult) -> dict:
        """The held-out figures of ``result``: its success, and a random sticker's on the same views."""
        assert self.held_x is not None and self.held_y is not None  # execute() measures only with them
        held_x, held_y = self.held_x, self.held_y
        digital = result.additive
        views = None if digital else self.views.wider(self.job.wider)

        def success(pattern: PhysicalResult) -> dict:
            return evaluate_physical(
                self.model, pattern, held_x, held_y, views=views, views_per_image=self.job.views_per_image
            ).to_dict()

        out: dict[str, Any] = {
            "images": int(held_x.shape[0]),
            "views": None if views is None else views.spec(),
            "pattern": success(result),
        }
        if not digital:  # a sticker or a patch: beside a random one of the same shape
            out["random_sticker"] = success(random_sticker(result))
        if self.pipeline.defenses:
            out["defences"] = defence_rows(
                self.model,
                result,
                held_x,
                held_y,
                self.pipeline,
                views=views,
                views_per_image=self.job.views_per_image,
            )
        return out


def prepare(job: PhysicalJob) -> Prepared:
    """Check ``job`` and load what it needs, without optimising anything.

    Raises:
        ParameterError: an unknown kind, a bad parameter or view range, a bad defence spec, adaptive
            without a defence, a target for an untargeted
            attack, a mask for an attack without one, too few images, views per image below 1, a
            thread count out of range, a print of a universal perturbation or of a size or dpi out
            of range (:func:`~inspector.core.physical.print_page.check_print`).
        ClassNameError: a target the model does not have; an image without a label.
        ImageError: a folder without images, an unreadable image or mask.
        ModelError: the model cannot be loaded.
    """
    attack = PHYSICAL_ATTACKS.make(job.kind, job.params)
    views = build(Views, job.views, "views")
    pipeline = Pipeline([defense_from_spec(spec) for spec in job.defenses])
    if job.adaptive and not pipeline.defenses:
        raise ParameterError("an adaptive attack is made against defences: name at least one")
    if job.views_per_image < 1:
        raise ParameterError(f"views per image {job.views_per_image}: must be at least 1")
    if job.mask is not None and not attack.needs_mask:
        raise ParameterError(f"{attack.name} takes no mask: it makes its own shape (see its parameters)")
    if job.threads is not None and not 1 <= job.threads <= MAX_THREADS:
        raise ParameterError(f"thread count {job.threads}: must be from 1 to {MAX_THREADS}")
    if job.print_mm is not None and not attack.printable:
        raise ParameterError(f"{attack.name} makes no sticker or patch: there is nothing to print")
    model = load_model(job.model, job.device, weights=job.weights, trust_code=job.trust_code)
    if job.print_mm is not None:
        check_print(job.print_mm, job.dpi, model.input_size)
    target = None if job.target is None else resolve_class(job.target, model.class_names)
    if target is not None and not attack.targeted:
        raise ParameterError(f"{attack.name} is untargeted: it takes no target")
    x, y = _load(job.images, model)
    if x.shape[0] < attack.min_images:
        raise ParameterError(
            f"{attack.name} needs at least {attack.min_images} images to make its pattern on, "
            f"{job.images} has {x.shape[0]}"
        )
    held_x, held_y = _load(job.held_out, model) if job.held_out is not None else (None, None)
    mask = None
    if attack.needs_mask:
        mask = (
            mask_from_image(job.mask, model.input_size)
            if job.mask
            else shape_mask(attack.shape, model.input_size, attack.area)
        )
    return Prepared(job, attack, views, model, x, y, held_x, held_y, target, mask, pipeline)


def _load(folder: str, model) -> tuple[torch.Tensor, torch.Tensor]:
    samples = load_dataset(folder, model, limit=MAX_IMAGES)
    x = torch.cat([s.load(model) for s in samples]).to(model.device)
    return x, torch.tensor([s.label for s in samples], device=model.device)


def save(folder: str, result: PhysicalResult, summary: dict, job: PhysicalJob | None = None) -> None:
    """Write the pattern's PNG, its print PDF (when ``job`` asks for one) and ``result.json`` into
    ``folder``, all or nothing.

    Raises:
        ExportError: the folder or a file cannot be written.
    """
    name = PERTURBATION if result.additive else STICKER
    image = result.rgba()
    text = json.dumps(summary | {"pattern_file": name}, indent=2) + "\n"
    writers = {
        name: lambda path: image.save(path, format="PNG"),
        RESULT: lambda path: path.write_text(text, encoding="utf-8"),
    }
    if job is not None and job.print_mm is not None:
        width, dpi = job.print_mm, job.dpi
        writers[PRINT] = lambda path: save_pdf(image, path, width, dpi, crop=result.placed)
    write_files(folder, writers)
