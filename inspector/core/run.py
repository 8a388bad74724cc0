"""One inspection: model + image + attack (+ defences) -> result + recipe.

This is the API both faces (GUI and CLI) drive, and what tests check::

    recipe = Recipe(image="coffee.png", attack="pgd", params={"eps": "2/255"})
    result = inspect(recipe, on_step=print)
    result.save("out/")       # original.png, adversarial.png, perturbation.png, result.json
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from inspector import __version__
from inspector.core.attacks import AttackResult, make_attack
from inspector.core.attacks.base import StepCallback, StopCheck
from inspector.core.concealment import Concealment
from inspector.core.datasets.idx import read_idx
from inspector.core.defenses import DefendedClassifier, Detector, Pipeline, defense_from_spec, detector_from_spec
from inspector.core.errors import ImageError, InputWarning, ModelError, ParameterError, RecipeError
from inspector.core.file_fields import (MAX_PARAM_TEXT, boolean, check_fields, device, either, optional, params,
                                        text, texts, whole)
from inspector.core.files import check_files, stat_path, write_atomically, write_files
from inspector.core.image import IMAGE_SUFFIXES, load_tensor, preprocess, save_image, to_pil, to_tensor
from inspector.core.labels import resolve_class
from inspector.core.messages import show_path
from inspector.core.metrics import is_success, perturbation_norms, top_k
from inspector.core.models import Classifier, default_model_name, load_model
from inspector.core.resources import CALIBRATION_DIGITS, HELD_OUT_DIGITS, resource_path, sample_images
from inspector.core.threads import MAX_THREADS, intra_op_threads
from inspector.core.transfer import as_surrogate
from inspector.core.untrusted import MAX_COUNT
from inspector.core.visualize import perturbation_image

#: The most surrogate models a recipe may name (each is loaded).
MAX_SURROGATES = 16
#: The files :meth:`Inspection.save` writes into its folder (see :func:`check_out_dir`).
SAVED_FILES = ("original.png", "adversarial.png", "perturbation.png", "result.json")
#: The most images calibrated on from a folder (``--calibration``, a recipe's ``calibration``): all are
#: held at once, at the model's input size; the lowest false positive rate, 0.001, takes 999.
MAX_CALIBRATION_IMAGES = 1000


@dataclass
class Recipe:
    """Everything needed to reproduce an inspection; saved as ``recipe`` in result.json.

    Attributes:
        image: path of the image file.
        model: built-in model name, model file path, or (with ``weights``) architecture name.
        weights: a state dict or safetensors file for the architecture ``model``; None: none.
        trust_model_code: allow a whole pickled model (``torch.save(model)``), whose loading runs
            code from the file (see :mod:`inspector.core.formats.pickled`).
        attack: registered attack name (see ``inspector attacks``).
        params: attack parameters, text (``"4/255"``) or typed.
        target: target class (index or name) for a targeted attack; None: untargeted.
        device: ``"cpu"``, ``"cuda"``, ``"mps"`` or None for automatic.
        top_k: how many classes to report.
        defenses: defence specs (``"jpeg:quality=75"``), applied in order as one pipeline.
        adaptive: attack the defended model (BPDA, EOT) instead of the bare one.
        detectors: detector specs (``"squeeze"``, ``"dropout:samples=20"``).
        eot_samples: draws per gradient for randomised defences in an adaptive attack.
        calibration: folder of clean images to calibrate detector thresholds on;
            None: the shipped ones (see :func:`calibration_images`).
        output_mode: what each query of a black-box attack returns (``"probabilities"``,
            ``"rounded:decimals=2"``, ``"topk:k=5"``, ``"label"``, ``"noisy:sigma=0.01"``; see
            :mod:`inspector.core.concealment.outputs`).
        throttle: per-client query rate of a black-box attack (``"1/s"``, ``"60/min:burst=20"``); None: none.
        stateful_detector: detector of query attacks watching a black-box attack (``"blacklight"``,
            ``"similarity"``); None: none.
        surrogates: models the attacker owns: the attack is computed on them (their ensemble if
            several) and the adversarial sent to ``model`` (transfer); empty: attack ``model`` itself.
        threads: CPU intra-op threads for the run; None: torch's current count, which
            :func:`inspect` records, since the adversarial's bytes depend on it
            (see :mod:`inspector.core.threads`).
    """

    image: str
    model: str = field(default_factory=default_model_name)
    weights: str | None = None
    trust_model_code: bool = False
    attack: str = "pgd"
    params: dict[str, Any] = field(default_factory=dict)
    target: int | str | None = None
    device: str | None = None
    top_k: int = 5
    defenses: list[str] = field(default_factory=list)
    adaptive: bool = False
    detectors: list[str] = field(default_factory=list)
    eot_samples: int = 8
    calibration: str | None = None
    output_mode: str = "probabilities"
    throttle: str | None = None
    stateful_detector: str | None = None
    surrogates: list[str] = field(default_factory=list)
    threads: int | None = None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict, where: str = "the recipe") -> "Recipe":
        """The recipe in ``data`` (a recipe's JSON object, perhaps from an attacker's file), every field
        checked for its type and range (:data:`RECIPE_FIELDS`); keys it does not know are left out.

        Raises:
            RecipeError: ``data`` is not an object, lacks ``image``, or a field is of the wrong type or
                out of range; the message starts with ``where`` and names the field.
        """
        return cls(**check_fields(data, RECIPE_FIELDS, where, RecipeError, required=("image",)))


#: What each field of a :class:`Recipe` read from a file may hold (see :mod:`inspector.core.file_fields`).
RECIPE_FIELDS = {
    "image": text(what="the path of an image file"),
    "model": text(what="a model name or file path"),
    "weights": optional(text(what="a weights file path")),
    "trust_model_code": boolean(),
    "attack": text(64, what="an attack name"),
    "params": params(),
    "target": optional(either(whole(0, MAX_COUNT), text(MAX_PARAM_TEXT, what="a class name"))),
    "device": optional(device()),
    "top_k": whole(1, MAX_COUNT),
    "defenses": texts(max_length=MAX_PARAM_TEXT),
    "adaptive": boolean(),
    "detectors": texts(max_length=MAX_PARAM_TEXT),
    "eot_samples": whole(1, 1000),
    "calibration": optional(text(what="a folder path")),
    "output_mode": text(MAX_PARAM_TEXT, what="an output mode"),
    "throttle": optional(text(MAX_PARAM_TEXT, what="a query rate")),
    "stateful_detector": optional(text(MAX_PARAM_TEXT, what="a detector spec")),
    "surrogates": texts(MAX_SURROGATES),
    "threads": optional(whole(1, MAX_THREADS)),
}


@dataclass
class Classification:
    """A model's prediction on one image: probabilities (K,) and the top-k list."""

    probabilities: torch.Tensor
    top_k: list[dict]

    @property
    def label(self) -> int:
        return self.top_k[0]["index"]

    def to_dict(self) -> dict:
        return {"label": self.top_k[0], "top_k": self.top_k}


def predict(model: Classifier, x: torch.Tensor, k: int = 5, *, what: str = "the image") -> Classification:
    """Classify one image tensor (1, C, H, W) in [0, 1].

    Raises:
        ModelError: the model fails on it, or its logits are NaN or infinite
            (``what`` names the image in the message).
    """
    with torch.no_grad():
        logits = model(x.to(model.device))
    return classification(model, logits, k, what)


def classification(model: Classifier, logits: torch.Tensor, k: int, what: str) -> Classification:
    """The :class:`Classification` of one image's logits (1, K).

    Raises:
        ModelError: the logits are NaN or infinite, so there are no probabilities to report.
    """
    logits = logits.detach()
    if not torch.isfinite(logits).all():
        raise ModelError(f"{show_path(model.name)}: the model's output on {what} is NaN or infinite, "
                         "so there are no probabilities to report")
    probs = logits.softmax(1)[0].cpu()
    return Classification(probs, top_k(probs, model.class_names, k))


def classify(image: str | os.PathLike, model: str | None = None, *, device: str | None = None, k: int = 5,
             weights: str | None = None, trust_code: bool = False) -> Classification:
    """Load ``image`` and classify it with ``model`` (default: the built-in default; ``weights`` and
    ``trust_code`` as for :func:`~inspector.core.models.load_model`).

    Raises:
        ImageError, ModelError, DeviceError.
    """
    clf = load_model(model, device, weights=weights, trust_code=trust_code)
    x = load_tensor(image, clf.input_size, clf.channels, clf.resize)
    return predict(clf, x, k)


@dataclass
class Inspection:
    """The result of :func:`inspect`.

    Attributes:
        recipe: what was run.
        model: the classifier used.
        x: (1, C, H, W) the preprocessed original in [0, 1] (exact grey levels).
        x_adv: (1, C, H, W) the adversarial, quantised to 8 bits.
        original, adversarial: predictions on x and x_adv.
        target: the target class index, or None.
        attack: the attack's own result.
        attack_time_s: wall time of the attack alone, in seconds.
        defended: predictions under each defence and the whole pipeline (empty without defences).
        detections: detector reports (empty without detectors).
        surrogate: with ``recipe.surrogates``, the name of the model the attack was computed on and
            whether its adversarial fooled that model (``{"name": ..., "fooled": ...}``); else None.

    ``success`` and ``adversarial`` are judged on the model the attack ran
    against: the bare model, or the defended one when ``recipe.adaptive``; in a
    transfer (``recipe.surrogates``), on ``model``, the target.
    """

    recipe: Recipe
    model: Classifier
    x: torch.Tensor
    x_adv: torch.Tensor
    original: Classification
    adversarial: Classification
    target: int | None
    attack: AttackResult
    attack_params: dict
    attack_time_s: float
    defended: list[DefendedPrediction] = field(default_factory=list)
    detections: list[dict] = field(default_factory=list)
    surrogate: dict | None = None

    @property
    def success(self) -> bool:
        return bool(self.attack.success[0])

    def norms(self) -> dict[str, float]:
        return {k: v[0] for k, v in perturbation_norms(self.x, self.x_adv).items()}

    def to_dict(self) -> dict:
        """A JSON-ready summary: predictions, success, norms, costs and the recipe."""
        names = self.model.class_names
        return {
            "inspector_version": __version__,
            "recipe": self.recipe.to_dict(),
            "model": {"name": self.model.name, "input_size": list(self.model.input_size),
                      "channels": self.model.channels, "device": str(self.model.device)},
            "attack": {"name": self.recipe.attack, "params": self.attack_params,
                       "loss": self.attack.loss,
                       "mode": "adaptive" if self.recipe.adaptive else "non-adaptive"},
            "true_label": {"index": self.original.label, "name": names[self.original.label]},
            "target": None if self.target is None else {"index": self.target, "name": names[self.target]},
            "original": self.original.to_dict(),
            "adversarial": self.adversarial.to_dict(),
            "success": self.success,
            "norms": self.norms(),
            "iterations": self.attack.iterations,
            "gradient_evaluations": self.attack.gradient_evaluations,
            "queries": self.attack.queries,
            "attack_time_s": self.attack_time_s,
            "cancelled": self.attack.cancelled,
            "defenses": [d.to_dict() for d in self.defended],
            "detections": self.detections,
            "threat_model": self.threat_model(),
        }

    def threat_model(self) -> dict:
        """Who computed the attack and what the target's oracle saw: ``kind`` (``"white-box"``,
        ``"black-box"`` or ``"transfer"``), ``computed_on`` (a model name), ``oracle`` (an
        :class:`~inspector.core.oracle.OracleReport` dict, black-box only) and a one-line ``summary``."""
        if self.surrogate is not None:
            fooled = "fooled" if self.surrogate["fooled"] else "did not fool"
            return {"kind": "transfer", "computed_on": self.surrogate["name"], "oracle": None,
                    "summary": f"computed on {self.surrogate['name']} (it {fooled} it), no query to the target"}
        oracle = self.attack.oracle
        if oracle is None:
            return {"kind": "white-box", "computed_on": self.model.name, "oracle": None, "summary": ""}
        return {"kind": "black-box", "computed_on": self.model.name, "oracle": oracle.to_dict(),
                "summary": oracle.summary()}

    def save(self, out_dir: str | os.PathLike) -> dict[str, Path]:
        """Write original.png, adversarial.png, perturbation.png and result.json to ``out_dir``.

        All four or none: they are written to a staging folder beside ``out_dir``
        and moved in only when all are written and none of the four names is taken
        by a folder (see :func:`inspector.core.files.write_files`). Returns the paths.

        Raises:
            ExportError: the folder cannot be created or written, or a target is a folder.
        """
        perturbation, scale = perturbation_image(self.x, self.x_adv)
        summary = json.dumps(self.to_dict() | {"perturbation_scale_grey": scale}, indent=2).encode("utf-8")
        writers = {
            "original.png": lambda path: save_image(to_pil(self.x), path),
            "adversarial.png": lambda path: save_image(to_pil(self.x_adv), path),
            "perturbation.png": lambda path: save_image(perturbation, path),
            "result.json": lambda path: write_atomically(path, lambda fh: fh.write(summary)),
        }
        assert tuple(writers) == SAVED_FILES
        return write_files(out_dir, writers)


def check_out_dir(out_dir: str | os.PathLike | None) -> None:
    """Before an attack runs: :meth:`Inspection.save` would not be refused for what is in ``out_dir``
    (None: nothing to check). Creates nothing.

    Raises:
        ExportError: ``out_dir`` is a file or cannot be created, or one of :data:`SAVED_FILES`
            in it is a folder, a symbolic link or a device (see :func:`inspector.core.files.check_files`).
    """
    if out_dir is not None:
        check_files(out_dir, SAVED_FILES)


def inspect(
    recipe: Recipe,
    *,
    model: Classifier | None = None,
    on_step: StepCallback | None = None,
    should_stop: StopCheck | None = None,
) -> Inspection:
    """Run one inspection: classify the image, attack it, classify the adversarial.

    The true label is the model's top-1 on the original. ``model`` may be
    given to reuse an already loaded classifier.

    With ``recipe.defenses`` the predictions under no defence, each defence and
    the whole pipeline are reported in ``defended``; with ``recipe.adaptive`` the
    attack runs on the defended model (BPDA, EOT); with ``recipe.detectors`` the
    detector scores and flags are reported in ``detections``.

    Raises:
        ImageError, ModelError, DeviceError, ParameterError, ClassNameError.
    """
    recipe = dataclasses.replace(recipe, threads=recipe.threads or torch.get_num_threads())
    with intra_op_threads(recipe.threads):
        return _inspect(recipe, model, on_step, should_stop)


def _inspect(recipe: Recipe, model: Classifier | None, on_step: StepCallback | None,
             should_stop: StopCheck | None) -> Inspection:
    attack = make_attack(recipe.attack, recipe.params)
    pipeline, detectors = defenses_from_recipe(recipe)
    concealment = concealment_from_recipe(recipe, attack)
    clf = model if model is not None else load_model(recipe.model, recipe.device, weights=recipe.weights,
                                                     trust_code=recipe.trust_model_code)
    surrogate = as_surrogate([load_model(s, recipe.device) for s in recipe.surrogates], clf) \
        if recipe.surrogates else None
    attack.check_model(surrogate if surrogate is not None else clf)
    x = load_tensor(recipe.image, clf.input_size, clf.channels, clf.resize).to(clf.device)
    if concealment is not None and concealment.detector is not None and concealment.detector.needs_calibration:
        concealment.calibrate(benign_stream(clf, recipe.calibration))
    original = predict(clf, x, recipe.top_k)
    y = torch.tensor([original.label], device=clf.device)
    target = None if recipe.target is None else resolve_class(recipe.target, clf.class_names)
    target_t = None if target is None else torch.tensor([target], device=clf.device)
    if clf.device.type == "cuda":
        torch.cuda.synchronize(clf.device)
    start = time.perf_counter()
    attacked = DefendedClassifier(clf, pipeline, eot_samples=recipe.eot_samples) if recipe.adaptive else clf
    extra = {"concealment": concealment} if concealment is not None else {}
    result = attack.run(surrogate if surrogate is not None else attacked, x, y, target=target_t, on_step=on_step,
                        should_stop=should_stop, **extra)
    if clf.device.type == "cuda":
        torch.cuda.synchronize(clf.device)
    attack_time = time.perf_counter() - start
    transfer = None
    if surrogate is not None:
        transfer = {"name": surrogate.name, "fooled": bool(result.success[0])}
        with torch.no_grad():
            logits = attacked(result.x_adv)
        result = dataclasses.replace(result, logits=logits, success=is_success(logits, y, target_t))
    adversarial = classification(clf, result.logits, recipe.top_k, "the adversarial image")
    inspection = Inspection(recipe, clf, x.cpu(), result.x_adv.detach().cpu(), original, adversarial, target,
                            result, dataclasses.asdict(attack), attack_time, surrogate=transfer)
    if pipeline.defenses:
        inspection.defended = defended_predictions(clf, pipeline, x, result.x_adv, y, target_t, recipe.top_k)
    if detectors:
        inspection.detections = detect(clf, detectors, x, result.x_adv, recipe.calibration)
    return inspection


@dataclass
class DefendedPrediction:
    """Predictions of the original and the adversarial under one defence (or none, or the whole pipeline).

    Attributes:
        defense: the defence spec, ``"none"`` or ``"pipeline"``.
        specs: the defence specs applied, in order.
        original, adversarial: the predictions after the defence.
        success: the adversarial fools the defended model (untargeted: top-1 is not the
            original's label; targeted: top-1 is the target).
    """

    defense: str
    specs: list[str]
    original: Classification
    adversarial: Classification
    success: bool

    def to_dict(self) -> dict:
        return {"defense": self.defense, "specs": self.specs, "original": self.original.to_dict(),
                "adversarial": self.adversarial.to_dict(), "success": self.success}


def defenses_from_recipe(recipe: Recipe) -> tuple[Pipeline, list[Detector]]:
    """Build the recipe's defence pipeline and detectors, checking every spec.

    Raises:
        ParameterError: a bad spec, or ``adaptive`` without any defence.
    """
    pipeline = Pipeline([defense_from_spec(s) for s in recipe.defenses])
    if recipe.adaptive and not pipeline.defenses:
        raise ParameterError("an adaptive attack needs at least one defence (e.g. --defense jpeg:quality=75)")
    if not 1 <= int(recipe.eot_samples) <= 1000:
        raise ParameterError(f"eot_samples must be between 1 and 1000, not {recipe.eot_samples}")
    return pipeline, [detector_from_spec(s) for s in recipe.detectors]


def concealment_from_recipe(recipe: Recipe, attack) -> Concealment | None:
    """The target's concealment for a black-box attack made on it; None for the others.

    Raises:
        ParameterError: a bad spec, or concealment settings where no query reaches the target
            (a white-box attack, or a transfer from surrogates).
    """
    concealment = Concealment.from_specs(recipe.output_mode, recipe.throttle, recipe.stateful_detector)
    settings = recipe.output_mode != "probabilities" or recipe.throttle or recipe.stateful_detector
    if attack.threat_model != "white-box" and not recipe.surrogates:
        return concealment
    if settings:
        why = "a transfer attack sends the target no query" if recipe.surrogates else \
            f"the white-box attack {attack.name!r} reads the model's gradients"
        raise ParameterError(f"the output mode, throttle and stateful detector apply to the black-box attacks "
                             f"(square, hopskipjump) made on the target; {why}")
    return None


def benign_stream(model: Classifier, calibration: str | os.PathLike | None = None) -> torch.Tensor:
    """Benign queries (N, C, H, W) to calibrate a stateful detector on: the images of the folder
    ``calibration``, or for 28x28 grey models the 2,000 shipped held-out MNIST digits.

    Raises:
        ImageError: the folder is missing or holds no image.
        ParameterError: a colour model and no folder (the 3 sample photos are too few).
    """
    if calibration or model.channels != 1:
        if not calibration:
            raise ParameterError("the similarity detector calibrates on 999 or more benign images: give a folder "
                                 "of them (--calibration DIR), or use --stateful-detector blacklight")
        return calibration_images(model, calibration)
    digits = read_idx(resource_path("images", HELD_OUT_DIGITS))
    return torch.cat([to_tensor(preprocess(Image.fromarray(d, "L"), model.input_size, model.resize)) for d in digits])


def defended_predictions(model: Classifier, pipeline: Pipeline, x: torch.Tensor, x_adv: torch.Tensor,
                         y: torch.Tensor, target: torch.Tensor | None, k: int = 5) -> list[DefendedPrediction]:
    """Predictions of x and x_adv (1, C, H, W) under no defence, each defence alone, and the whole pipeline.

    Randomised defences use their own seed, so the figures are reproducible.
    """
    stages = [("none", Pipeline([]))] + [(d.spec(), Pipeline([d])) for d in pipeline.defenses]
    if len(pipeline.defenses) > 1:
        stages.append(("pipeline", pipeline))
    out = []
    for name, stage in stages:
        original, adversarial = (predict(model, stage.apply(v.to(model.device)), k, what=f"the {kind} after {name}")
                                 for v, kind in ((x, "image"), (x_adv, "adversarial image")))
        success = bool(is_success(adversarial.probabilities[None], y.cpu(), None if target is None else target.cpu())[0])
        out.append(DefendedPrediction(name, stage.specs(), original, adversarial, success))
    return out


def calibration_images(model: Classifier, calibration: str | os.PathLike | None = None) -> torch.Tensor:
    """Clean images (N, C, H, W) in [0, 1], at the model's input size, to calibrate detectors on.

    They are the images in the folder ``calibration``; by default the shipped ones of the
    model's kind: for grey models 400 held-out MNIST digits that no shipped model trained
    on, for colour models the 3 sample photos, too few for an fpr below 0.25 (see
    :func:`~inspector.core.defenses.detection.min_calibration_images`).

    Raises:
        ImageError: the folder is missing, holds no image, or an image is unreadable.
    """
    if calibration:
        folder = Path(calibration)
        info = stat_path(folder, ImageError)
        if info is None or not stat.S_ISDIR(info.st_mode):
            raise ImageError(f"{show_path(folder)}: no such folder of calibration images")
        files = _calibration_files(folder)
        if not files:
            raise ImageError(f"{show_path(folder)}: no images to calibrate the detectors on")
    elif model.channels == 1:
        digits = read_idx(resource_path("images", CALIBRATION_DIGITS))
        return torch.cat([to_tensor(preprocess(Image.fromarray(d, "L"), model.input_size, model.resize)) for d in digits])
    else:
        files = sample_images(model.channels)
    clean = torch.empty(len(files), model.channels, *model.input_size)
    for i, f in enumerate(files):
        clean[i] = load_tensor(f, model.input_size, model.channels, model.resize)[0]
    return clean


def _calibration_files(folder: Path) -> list[Path]:
    """The image files of the folder ``folder``: the first :data:`MAX_CALIBRATION_IMAGES` by name
    (an :class:`InputWarning` says so where it holds more).

    Raises:
        ImageError: it holds more than :data:`~inspector.core.untrusted.MAX_COUNT` images, as a data
            folder may, or it cannot be listed.
    """
    files = []
    try:
        for p in folder.iterdir():
            if p.suffix.lower() in IMAGE_SUFFIXES:
                if len(files) >= MAX_COUNT:
                    raise ImageError(f"{show_path(folder)}: more than {MAX_COUNT:,} images; give a folder of "
                                     f"{MAX_CALIBRATION_IMAGES:,} calibration images at most")
                files.append(p)
    except OSError as exc:
        raise ImageError(f"{show_path(folder)}: cannot list the calibration images ({exc.strerror or exc})") from None
    if len(files) > MAX_CALIBRATION_IMAGES:
        warnings.warn(InputWarning(f"{show_path(folder)}: calibrated on the first {MAX_CALIBRATION_IMAGES:,} of its "
                                   f"{len(files):,} images by name (enough for a false positive rate of 0.001)"))
    return sorted(files)[:MAX_CALIBRATION_IMAGES]


def detect(model: Classifier, detectors: list[Detector], x: torch.Tensor, x_adv: torch.Tensor,
           calibration: str | os.PathLike | None = None) -> list[dict]:
    """Score x and x_adv with each detector, against a threshold calibrated on clean images.

    The clean images are those of :func:`calibration_images`; the report gives their number
    (``calibration_images``). A detector that does not apply to the model (dropout
    uncertainty on a model without dropout), or whose ``fpr`` these images are too few to
    calibrate, is reported with ``available: false`` and the reason.

    Raises:
        ImageError: the calibration folder is missing or holds no image.
    """
    clean = calibration_images(model, calibration).to(model.device)
    reports = []
    for detector in detectors:
        report = {"detector": detector.spec(), "title": detector.title, "paper": detector.paper,
                  "calibration_images": len(clean)}
        try:
            threshold = detector.calibrate(model, clean)
            scores = detector.score(model, torch.cat([x, x_adv]).to(model.device)).tolist()
        except (ModelError, ParameterError) as exc:
            reports.append(report | {"available": False, "reason": str(exc)})
            continue
        reports.append(report | {
            "available": True, "threshold": threshold, "fpr": detector.fpr,
            "original": {"score": scores[0], "flagged": scores[0] > threshold},
            "adversarial": {"score": scores[1], "flagged": scores[1] > threshold},
        })
    return reports
