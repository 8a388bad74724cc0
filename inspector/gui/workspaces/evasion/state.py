"""The Evasion workspace's view state in plain, evented Python (no Qt).

Panels write the user's choices into it; widgets listen to its events
(``state.events.preview``, ``state.events.inspection``, ...) and redraw. Lists
are replaced, never changed in place, so that every change is an event. The
worker reads a :class:`~inspector.core.evasion.recipe.Recipe` made from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from psygnal import evented

from inspector.core.attacks import ATTACKS, make_attack
from inspector.core.attacks.threat_model import threat_model, threat_model_of
from inspector.core.concealment import output_mode_from_spec
from inspector.core.defenses import DEFENSES, DETECTORS, defense_from_spec, detector_from_spec
from inspector.core.evasion.classify import Classification
from inspector.core.evasion.compare import Comparison
from inspector.core.evasion.cost import Estimate, UnitCost, estimate
from inspector.core.evasion.inspect import Inspection
from inspector.core.evasion.recipe import Recipe
from inspector.core.io.resources import default_image
from inspector.core.util.errors import InspectorError, ParameterError
from inspector.core.util.params import Registry, param_specs


def default_params(attack: str, preset: str = "default") -> dict[str, Any]:
    """The parameter values of a registered attack under ``preset`` (see ``PRESETS``), typed."""
    cls = ATTACKS[attack]
    return {spec.name: spec.default for spec in cls.params()} | cls.preset(preset)


def default_values(registry: Registry, name: str) -> dict[str, Any]:
    """The default parameter values of a registered defence or detector, typed."""
    return {spec.name: spec.default for spec in param_specs(registry[name])}


@dataclass(eq=False)
class Preview:
    """The loaded original: (H, W, 3) uint8 pixels as the model sees them, and its prediction.

    ``model``, ``device``, ``weights`` and ``trust_code`` are the choices it was made with
    (``device`` None: automatic; see :class:`~inspector.gui.session.Session`); ``device_name``
    is the device it ran on. ``shape`` is the (C, H, W) the model takes and ``unit_cost`` the
    measured time of one gradient and one query of it there. ``conversion`` says how the file's
    colour was changed for the model (:func:`~inspector.core.io.conversion.conversion_note`), or None.
    """

    pixels: np.ndarray
    classification: Classification
    class_names: tuple[str, ...]
    model: str
    device: str | None
    device_name: str
    shape: tuple[int, int, int]
    unit_cost: UnitCost
    weights: str | None = None
    trust_code: bool = False
    conversion: str | None = None

    def choice(self) -> tuple[str, str | None, str | None, bool]:
        """(model, device, weights, trust_code): what the session holds when this preview is current."""
        return self.model, self.device, self.weights, self.trust_code


@evented
@dataclass
class EvasionState:
    """Everything the Evasion workspace shows, apart from the widgets that show it.

    Attributes:
        image: path of the current image.
        attack: registered attack name.
        params: typed parameter values per attack name (kept when switching attacks).
        preset: the parameter preset new values start from (``"default"`` or ``"paper"``,
            see :meth:`use_preset`).
        target: target class index for a targeted attack, or None; a class name or index
            given as text (from the command line) is resolved once the model is loaded.
        defenses: names of the selected defences.
        defense_values: typed parameter values per defence name.
        adaptive: attack the defended model (only with a defence, an ensemble or the realism check).
        ensemble: models that read each image together with the session's model (He et al. 2017); empty: none.
        ensemble_rule: ``"mean"`` (probabilities) or ``"vote"`` (majority).
        detectors, detector_values: the same for the detectors.
        calibration: folder of clean images the detector thresholds are calibrated on;
            None: the shipped ones (enough for digit models, too few for photo models at fpr 0.05).
        compare: other models that classify the adversarial (transfer), side by side; none: no comparison.
        compare_direct: with ``compare``, also attack each of them directly.
        threat: the threat model, a key of :data:`~inspector.core.attacks.threat_model.THREAT_MODELS`: what the attacker gets from the target.
        top_k: the classes a ``"top-k"`` target returns scores for.
        surrogate: the model a ``"transfer"`` attack is computed on (None: none chosen yet).
        throttle: the target's query rate for black-box attacks (``"1/s"``), or None.
        stateful_detector: the detector watching black-box queries (``"blacklight"``), or None.
        held_out_digits: how many shipped held-out MNIST digits the output-mode comparison attacks
            besides the image (digit models only; 0: the image alone).
        preview: the current original and its prediction, once loaded.
        inspection: the last finished attack on the current image, or None.
        comparison: the last finished model comparison (its ``source`` is ``inspection``), or None.
    """

    image: str = field(default_factory=lambda: str(default_image()))
    attack: str = "pgd"
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    preset: str = "default"
    target: int | str | None = None
    defenses: list[str] = field(default_factory=list)
    defense_values: dict[str, dict[str, Any]] = field(default_factory=dict)
    adaptive: bool = False
    ensemble: list[str] = field(default_factory=list)
    ensemble_rule: str = "mean"
    detectors: list[str] = field(default_factory=list)
    detector_values: dict[str, dict[str, Any]] = field(default_factory=dict)
    calibration: str | None = None
    compare: list[str] = field(default_factory=list)
    compare_direct: bool = False
    threat: str = "white-box"
    top_k: int = 5
    surrogate: str | None = None
    throttle: str | None = None
    stateful_detector: str | None = None
    held_out_digits: int = 0
    preview: Preview | None = None
    inspection: Inspection | None = None
    comparison: Comparison | None = None

    def attack_params(self) -> dict[str, Any]:
        """The current attack's parameters (the preset's values filled in on first use)."""
        return self.params.setdefault(self.attack, default_params(self.attack, self.preset))

    def use_preset(self, preset: str) -> None:
        """Start every attack's parameters afresh from ``preset``'s values (edits are dropped)."""
        self.params = {}
        self.preset = preset

    def estimate(self) -> Estimate | None:
        """The current attack's planned cost on the loaded model, and its time; None before a preview
        or while a parameter is invalid."""
        if self.preview is None:
            return None
        try:
            attack = make_attack(self.attack, self.attack_params())
        except InspectorError:
            return None
        return estimate(attack, self.preview.shape, self.preview.unit_cost)

    def use_recipe(self, recipe: Recipe) -> None:
        """Show ``recipe``'s attack, parameters, target, defences and detectors (typed, as the panels
        hold them); the image and the model change when they have loaded (see the workspace).

        Raises:
            ParameterError: an unknown attack, defence or detector, or a bad value.
        """
        attack = make_attack(recipe.attack, recipe.params)
        for spec in recipe.defenses:  # checked before anything changes
            defense_from_spec(spec)
        detectors = [detector_from_spec(s) for s in recipe.detectors]
        self.attack = attack.name
        self.params = self.params | {attack.name: {s.name: getattr(attack, s.name) for s in attack.params()}}
        self.target = recipe.target
        self.use_defenses(recipe.defenses)
        self.detectors = [d.name for d in detectors]
        self.adaptive = recipe.adaptive
        self.ensemble, self.ensemble_rule = list(recipe.ensemble), recipe.ensemble_rule
        self.calibration = recipe.calibration
        self.detector_values = self.detector_values | {d.name: _values(d) for d in detectors}
        self.use_threat(recipe.output_mode, recipe.throttle, recipe.stateful_detector, recipe.surrogates)

    def use_defenses(self, specs: list[str]) -> None:
        """Tick the defences of ``specs`` (``"jpeg:quality=75"``) with their values, as the panel holds them.

        Raises:
            ParameterError: an unknown defence or a bad value.
        """
        defenses = [defense_from_spec(s) for s in specs]
        self.defense_values = self.defense_values | {d.name: _values(d) for d in defenses}
        self.defenses = [d.name for d in defenses]

    def inputs(self) -> tuple | None:
        """What a result depends on besides the loaded image and model (whose change clears it): the
        recipe's choices and the models compared. Equal values: the same run. None while a value is invalid."""
        try:
            recipe = self.recipe("", None)
        except InspectorError:
            return None
        return recipe, tuple(self.compare), self.compare_direct

    def use_threat(
        self, output_mode: str, throttle: str | None, stateful_detector: str | None, surrogates: list[str]
    ) -> None:
        """Show a recipe's threat-model fields as the panel's choices: a surrogate is a transfer, output
        mode ``label`` label-only, ``topk:k=K`` top-k, any other (of a black-box attack) scores.

        Raises:
            ParameterError: a bad output mode, or several surrogates (the panel takes one).
        """
        mode = output_mode_from_spec(output_mode)
        if len(surrogates) > 1:
            raise ParameterError("the app's threat model takes one surrogate; the command line takes several")
        self.threat = threat_model_of(self.attack, mode.name, surrogates).name
        if surrogates:
            self.surrogate = surrogates[0]
        elif mode.name == "topk":
            self.top_k = mode.k
        self.throttle, self.stateful_detector = throttle, stateful_detector

    def recipe(self, model: str, device: str | None, *, weights: str | None = None, trust_code: bool = False) -> Recipe:
        """The recipe of an attack with the current choices on ``model`` (with ``weights``,
        ``trust_code``: see :class:`~inspector.core.evasion.recipe.Recipe`) and ``device``."""
        specs = _specs(DEFENSES, self.defenses, self.defense_values)
        seen = any(DETECTORS[name].differentiable for name in self.detectors if name in DETECTORS)
        return Recipe(
            image=self.image,
            model=model,
            weights=weights,
            trust_model_code=trust_code,
            attack=self.attack,
            params=dict(self.params.get(self.attack) or default_params(self.attack, self.preset)),
            target=self.target,
            device=device,
            defenses=specs,
            adaptive=self.adaptive and bool(specs or self.ensemble or seen),
            detectors=_specs(DETECTORS, self.detectors, self.detector_values),
            ensemble=list(self.ensemble),
            ensemble_rule=self.ensemble_rule,
            calibration=self.calibration,
            **self.threat_fields(),
        )

    def threat_fields(self) -> dict[str, Any]:
        """The :class:`~inspector.core.evasion.recipe.Recipe` fields of the threat model: the target's output mode,
        throttle and detector for a black-box attack, the surrogate of a transfer; none otherwise."""
        threat = threat_model(self.threat)
        if threat.name == "transfer":
            return {"surrogates": [self.surrogate] if self.surrogate else []}
        if ATTACKS[self.attack].threat_model == "white-box":
            return {}
        return {
            "output_mode": threat.output_mode(self.top_k) or "probabilities",
            "throttle": self.throttle,
            "stateful_detector": self.stateful_detector,
        }


def _values(entry) -> dict[str, Any]:
    """A defence's or detector's typed parameter values."""
    return {spec.name: getattr(entry, spec.name) for spec in param_specs(type(entry))}


def _specs(registry: Registry, chosen: list[str], values: dict[str, dict[str, Any]]) -> list[str]:
    """``name:key=value,...`` specs of the chosen entries, in registry order."""
    return [registry.make(name, values.get(name, {})).spec() for name in registry if name in chosen]
