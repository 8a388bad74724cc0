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
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from inspector import __version__
from inspector.core.attacks import AttackResult, make_attack
from inspector.core.attacks.base import StepCallback, StopCheck
from inspector.core.attacks.query import QueryAttack
from inspector.core.concealment import Concealment
from inspector.core.defenses import DefendedClassifier
from inspector.core.evasion.calibration import benign_stream, calibration_images
from inspector.core.evasion.classify import Classification, classification, predict
from inspector.core.evasion.defended import DefendedPrediction, defended_predictions, defenses_from_recipe, detect
from inspector.core.evasion.ensembled import check_ensemble, ensemble_from_recipe, ensemble_predictions
from inspector.core.evasion.guarded import differentiable, guarded, unguarded
from inspector.core.evasion.recipe import Recipe
from inspector.core.evasion.transfer import as_surrogate
from inspector.core.io.files import check_files, write_atomically, write_files
from inspector.core.io.image import load_tensor, save_image, to_pil
from inspector.core.io.visualize import perturbation_image
from inspector.core.models.classifier import Classifier
from inspector.core.models.labels import resolve_class
from inspector.core.models.loading import load_model
from inspector.core.util.errors import ParameterError
from inspector.core.util.metrics import is_success, perturbation_norms
from inspector.core.util.threads import intra_op_threads

#: The files :meth:`Inspection.save` writes into its folder (see :func:`check_out_dir`).
SAVED_FILES = ("original.png", "adversarial.png", "perturbation.png", "result.json")


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
            "model": {
                "name": self.model.name,
                "input_size": list(self.model.input_size),
                "channels": self.model.channels,
                "device": str(self.model.device),
            },
            "attack": {
                "name": self.recipe.attack,
                "params": self.attack_params,
                "loss": self.attack.loss,
                "mode": "adaptive" if self.recipe.adaptive else "non-adaptive",
            },
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
        :class:`~inspector.core.concealment.oracle.OracleReport` dict, black-box only) and a one-line ``summary``."""
        if self.surrogate is not None:
            fooled = "fooled" if self.surrogate["fooled"] else "did not fool"
            return {
                "kind": "transfer",
                "computed_on": self.surrogate["name"],
                "oracle": None,
                "summary": f"computed on {self.surrogate['name']} (it {fooled} it), no query to the target",
            }
        oracle = self.attack.oracle
        if oracle is None:
            return {"kind": "white-box", "computed_on": self.model.name, "oracle": None, "summary": ""}
        return {
            "kind": "black-box",
            "computed_on": self.model.name,
            "oracle": oracle.to_dict(),
            "summary": oracle.summary(),
        }

    def save(self, out_dir: str | os.PathLike) -> dict[str, Path]:
        """Write original.png, adversarial.png, perturbation.png and result.json to ``out_dir``.

        All four or none: they are written to a staging folder beside ``out_dir``
        and moved in only when all are written and none of the four names is taken
        by a folder (see :func:`inspector.core.io.files.write_files`). Returns the paths.

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
            in it is a folder, a symbolic link or a device (see :func:`inspector.core.io.files.check_files`).
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
    attack runs on the defended model (BPDA, EOT), the ensemble of ``recipe.ensemble`` and the
    penalties of differentiable detectors; with ``recipe.ensemble`` each member's and the
    ensemble's predictions follow in ``defended``; with ``recipe.detectors`` the detector scores
    and flags are reported in ``detections``.

    Raises:
        ImageError, ModelError, DeviceError, ParameterError, ClassNameError.
    """
    threads = recipe.threads or torch.get_num_threads()
    recipe = dataclasses.replace(recipe, threads=threads)
    with intra_op_threads(threads):
        return _inspect(recipe, model, on_step, should_stop)


def _inspect(
    recipe: Recipe, model: Classifier | None, on_step: StepCallback | None, should_stop: StopCheck | None
) -> Inspection:
    attack = make_attack(recipe.attack, recipe.params)
    pipeline, detectors = defenses_from_recipe(recipe)
    check_ensemble(recipe)
    concealment = concealment_from_recipe(recipe, attack)
    clf = (
        model
        if model is not None
        else load_model(recipe.model, recipe.device, weights=recipe.weights, trust_code=recipe.trust_model_code)
    )
    surrogate = (
        as_surrogate([load_model(s, recipe.device) for s in recipe.surrogates], clf) if recipe.surrogates else None
    )
    ensemble = ensemble_from_recipe(recipe, clf)
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
    attacked: torch.nn.Module = clf
    if recipe.adaptive:
        attacked = DefendedClassifier(ensemble or clf, pipeline, eot_samples=recipe.eot_samples)
        if differentiable(detectors):
            clean = calibration_images(clf, recipe.calibration).to(clf.device)
            attacked = guarded(attacked, detectors, clean, y, target_t)
    on = surrogate if surrogate is not None else attacked
    if isinstance(attack, QueryAttack):
        result = attack.run(
            on,
            x,
            y,
            target=target_t,
            on_step=on_step,
            should_stop=should_stop,
            oracle=attack.oracle(on, x.shape[0], concealment),
        )
    else:
        result = attack.run(on, x, y, target=target_t, on_step=on_step, should_stop=should_stop)
    if clf.device.type == "cuda":
        torch.cuda.synchronize(clf.device)
    attack_time = time.perf_counter() - start
    transfer = None
    if surrogate is not None:
        transfer = {"name": surrogate.name, "fooled": bool(result.success[0])}
        with torch.no_grad():
            logits = attacked(result.x_adv)
        result = dataclasses.replace(result, logits=logits, success=is_success(logits, y, target_t))
    elif unguarded(attacked) is not attacked:  # judged on the model without the detectors' penalties
        with torch.no_grad():
            logits = unguarded(attacked)(result.x_adv)
        result = dataclasses.replace(result, logits=logits, success=is_success(logits, y, target_t))
    adversarial = classification(clf, result.logits, recipe.top_k, "the adversarial image")
    inspection = Inspection(
        recipe,
        clf,
        x.cpu(),
        result.x_adv.detach().cpu(),
        original,
        adversarial,
        target,
        result,
        dataclasses.asdict(attack),
        attack_time,
        surrogate=transfer,
    )
    if pipeline.defenses:
        inspection.defended = defended_predictions(clf, pipeline, x, result.x_adv, y, target_t, recipe.top_k)
    if ensemble is not None:
        inspection.defended += ensemble_predictions(ensemble, pipeline, x, result.x_adv, y, target_t, recipe.top_k)
    if detectors:
        inspection.detections = detect(clf, detectors, x, result.x_adv, recipe.calibration)
    return inspection


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
        why = (
            "a transfer attack sends the target no query"
            if recipe.surrogates
            else f"the white-box attack {attack.name!r} reads the model's gradients"
        )
        raise ParameterError(
            f"the output mode, throttle and stateful detector apply to the black-box attacks "
            f"(square, hopskipjump) made on the target; {why}"
        )
    return None
