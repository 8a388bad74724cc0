"""The recipe of an inspection: everything needed to reproduce it, and reading one from a file."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from inspector.core.io.file_fields import (
    MAX_PARAM_TEXT,
    boolean,
    check_fields,
    device,
    either,
    optional,
    params,
    text,
    texts,
    whole,
)
from inspector.core.models.loading import default_model_name
from inspector.core.util.bounds import MAX_COUNT
from inspector.core.util.errors import RecipeError
from inspector.core.util.threads import MAX_THREADS

#: The most surrogate models, or ensemble members, a recipe may name (each is loaded).
MAX_SURROGATES = 16


@dataclass
class Recipe:
    """Everything needed to reproduce an inspection; saved as ``recipe`` in result.json.

    Attributes:
        image: path of the image file.
        model: built-in model name, model file path, or (with ``weights``) architecture name.
        weights: a state dict or safetensors file for the architecture ``model``; None: none.
        trust_model_code: allow a whole pickled model (``torch.save(model)``), whose loading runs
            code from the file (see :mod:`inspector.core.models.formats.pickled`).
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
        ensemble: models that read each image together with ``model`` (He et al. 2017): the
            adaptive attack is made on the ensemble, the non-adaptive one on ``model``; empty: none.
        ensemble_rule: how the ensemble decides: ``"mean"`` (probabilities) or ``"vote"`` (majority).
        threads: CPU intra-op threads for the run; None: torch's current count, which
            :func:`inspect` records, since the adversarial's bytes depend on it
            (see :mod:`inspector.core.util.threads`).
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
    ensemble: list[str] = field(default_factory=list)
    ensemble_rule: str = "mean"
    threads: int | None = None

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict, where: str = "the recipe") -> Recipe:
        """The recipe in ``data`` (a recipe's JSON object, perhaps from an attacker's file), every field
        checked for its type and range (:data:`RECIPE_FIELDS`); keys it does not know are left out.

        Raises:
            RecipeError: ``data`` is not an object, lacks ``image``, or a field is of the wrong type or
                out of range; the message starts with ``where`` and names the field.
        """
        return cls(**check_fields(data, RECIPE_FIELDS, where, RecipeError, required=("image",)))


#: What each field of a :class:`Recipe` read from a file may hold (see :mod:`inspector.core.io.file_fields`).
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
    "ensemble": texts(MAX_SURROGATES),
    "ensemble_rule": text(16, what="an ensemble rule"),
    "threads": optional(whole(1, MAX_THREADS)),
}
