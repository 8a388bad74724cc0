"""What one evaluation runs: :class:`EvaluationConfig`, and the attacks it builds per budget."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from inspector.core.attacks import ATTACKS, Attack, make_attack
from inspector.core.evaluation.targets import check_target
from inspector.core.io.file_fields import (
    MAX_PARAM_TEXT,
    boolean,
    check_fields,
    device,
    numbers,
    numbers_or_texts,
    optional,
    params,
    text,
    texts,
    whole,
)
from inspector.core.models.loading import default_model_name
from inspector.core.util.bounds import MAX_COUNT, check_list_length
from inspector.core.util.errors import ParameterError, RecipeError
from inspector.core.util.params import parse_number
from inspector.core.util.threads import MAX_THREADS

#: The budgets evaluated when none are given (Linf, [0, 1] pixel units).
DEFAULT_EPS = ("0", "1/255", "2/255", "4/255", "8/255")
#: Multiples of the attack's steps run on the sanity subset (Carlini et al. 2019, section 5.2).
MORE_STEPS = (2, 5)
#: PGD-like step size when none is given: 2.5 eps / steps (at most eps), so the iterate can cross the ball
#: (Madry et al. 2018).
STEP_SIZE_FACTOR = 2.5


@dataclass
class EvaluationConfig:
    """Everything that defines an evaluation; the fields that change its numbers form its fingerprint.

    Attributes:
        data: a folder of images (labels from the file names or a ``labels.csv``) or a built-in set
            (``mnist-heldout``); see :mod:`inspector.core.evaluation.data`.
        model, weights, trust_model_code: as for :class:`inspector.core.evasion.recipe.Recipe`.
        attacks: attack names; several give the per-image worst case (AutoAttack's rule).
        eps: budgets in [0, 1] pixel units (text ``"4/255"`` or numbers), measured in ``norm``;
            minimal-norm attacks run once and their norm is compared with each.
        norm: ``"linf"`` or ``"l2"``: the threat model.
        params: further attack parameters (``steps``, ``step_size``, ``seed``, ...), given to each
            attack that has them.
        target: None (untargeted) or how each image's target class is chosen, ``"random"`` or
            ``"least-likely"`` (see :mod:`inspector.core.evaluation.targets`).
        defenses, adaptive, eot_samples: defence specs; with defences the adversarials are also judged
            through them (non-adaptive) and, with ``adaptive``, made against them (BPDA, EOT).
        device: ``"cpu"``, ``"cuda"``, ``"mps"`` or None for automatic.
        batch_size: images per attack batch; None: chosen from the model's input size.
        limit: evaluate the first ``limit`` images only; None: all.
        sanity: run the sanity checks of Carlini et al. 2019 on the first ``sanity_images`` images.
        out: folder for the JSONL results (None: keep them in memory only).
        resume: continue the evaluation in ``out``.
        threads: CPU intra-op threads the attacks run with; None: the count recorded in ``out`` when
            resuming, else torch's current one. :func:`~inspector.core.evaluation.evaluate` records it,
            since the adversarials' bytes depend on it (see :mod:`inspector.core.util.threads`).
        smoothing: None, or the settings of randomized smoothing (``sigma``, ``n0``, ``n``, ``alpha``,
            ``batch_size``, ``seed``: :class:`~inspector.core.certify.settings.Smoothing`'s parameters) with
            which each image is also certified (Cohen et al. 2019; the certified-accuracy curve of the
            bare model, see :mod:`inspector.core.evaluation.certified_records`).
        ray: spread the batches over Ray workers: ``"local"`` starts a Ray instance on this machine
            (or uses the one already started), anything else is a cluster address (``"auto"``,
            ``"ray://head:10001"``); None: run here. The numbers are the same either way
            (see :mod:`inspector.core.evaluation.distributed`).
    """

    data: str
    model: str = field(default_factory=default_model_name)
    weights: str | None = None
    trust_model_code: bool = False
    attacks: list[str] = field(default_factory=lambda: ["pgd"])
    eps: list[Any] = field(default_factory=lambda: list(DEFAULT_EPS))
    norm: str = "linf"
    params: dict[str, Any] = field(default_factory=dict)
    target: str | None = None
    defenses: list[str] = field(default_factory=list)
    adaptive: bool = False
    eot_samples: int = 8
    device: str | None = None
    batch_size: int | None = None
    limit: int | None = None
    sanity: bool = True
    sanity_images: int = 200
    out: str | None = None
    resume: bool = False
    threads: int | None = None
    ray: str | None = None
    smoothing: dict[str, Any] | None = None

    def fingerprint(self) -> dict:
        """The fields that change the numbers (not ``device``, ``out``, ``resume``, ``ray``), JSON-ready."""
        data = dataclasses.asdict(self)
        for name in ("device", "out", "resume", "ray"):
            data.pop(name)
        data["eps"] = budgets(self)
        data["params"] = {k: str(v) for k, v in sorted(self.params.items())}
        return data

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict, where: str = "the evaluation's configuration") -> EvaluationConfig:
        """The configuration in ``data`` (a manifest's or report's ``config``, perhaps from an attacker's
        file), every field checked for its type and range (:data:`CONFIG_FIELDS`); keys it does not
        know are left out.

        Raises:
            RecipeError: ``data`` is not an object, lacks ``data``, or a field is of the wrong type or
                out of range; the message starts with ``where`` and names the field.
        """
        return cls(**check_fields(data, CONFIG_FIELDS, where, RecipeError, required=("data",)))


#: The largest batch size a configuration read from a file may ask for: 8 times the largest default
#: (:func:`~inspector.core.evaluation.runner.default_batch_size`), which keeps a photo model's batch
#: in memory; a file's 100,000 would ask for 60 GB at 224 x 224.
MAX_FILE_BATCH = 1024

#: What each field of an :class:`EvaluationConfig` read from a file may hold (see :mod:`inspector.core.io.file_fields`).
CONFIG_FIELDS = {
    "data": text(what="a folder of images or a built-in data set"),
    "model": text(what="a model name or file path"),
    "weights": optional(text(what="a weights file path")),
    "trust_model_code": boolean(),
    "attacks": texts(max_length=64),
    "eps": numbers_or_texts(),
    "norm": text(16, what="linf or l2"),
    "params": params(),
    "target": optional(text(16, what="random or least-likely")),
    "defenses": texts(max_length=MAX_PARAM_TEXT),
    "adaptive": boolean(),
    "eot_samples": whole(1, 1000),
    "device": optional(device()),
    "batch_size": optional(whole(1, MAX_FILE_BATCH)),
    "limit": optional(whole(1, MAX_COUNT)),
    "sanity": boolean(),
    "sanity_images": whole(1, MAX_COUNT),
    "out": optional(text(what="a folder path")),
    "resume": boolean(),
    "threads": optional(whole(1, MAX_THREADS)),
    "ray": optional(text(MAX_PARAM_TEXT, what="local or a Ray cluster address")),
    "smoothing": optional(numbers(max_items=8)),
}


def budgets(config: EvaluationConfig) -> list[float]:
    """The sorted distinct budgets as floats.

    Raises:
        ParameterError: a budget is not a number, negative, above 1 for Linf, or none is given.
    """
    if config.norm not in ("linf", "l2"):
        raise ParameterError(f"norm must be linf or l2, not {config.norm!r}")
    values = []
    for item in config.eps:
        try:
            value = parse_number(item)
        except ParameterError as exc:
            raise ParameterError(f"--eps: {exc}") from None
        if not math.isfinite(value) or value < 0 or (config.norm == "linf" and value > 1):
            raise ParameterError(f"eps {item!r} must be in [0, 1] for linf (any size >= 0 for l2)")
        values.append(value)
    if not values:
        raise ParameterError("give at least one eps (e.g. --eps 0,2/255,8/255)")
    check_list_length(values, "--eps")
    return sorted(set(values))


def check_attacks(config: EvaluationConfig) -> None:
    """Refuse unknown attacks, a parameter no chosen attack takes, an attack that lacks the threat
    model's norm, an unknown target mode, and an attack that cannot aim at a class in a targeted evaluation.

    Raises:
        ParameterError: naming the attack, parameter or target mode.
    """
    if not config.attacks:
        raise ParameterError("give at least one attack (e.g. --attack pgd)")
    for name in config.attacks:
        if name not in ATTACKS:
            raise ParameterError(f"unknown attack {name!r}; known: {', '.join(ATTACKS)}")
        norms = next((spec.choices for spec in ATTACKS[name].params() if spec.name == "norm"), None)
        if norms and config.norm not in norms:
            raise ParameterError(f"attack {name!r} runs in {' or '.join(norms)} only, not --norm {config.norm}")
    check_target(config.target, config.attacks)
    taken = {spec.name for name in config.attacks for spec in ATTACKS[name].params()}
    for key in config.params:
        if key in ("eps", "norm"):
            raise ParameterError(f"give {key} with --{key}, not as an attack parameter")
        if key not in taken:
            raise ParameterError(f"no chosen attack takes the parameter {key!r}")
    for name in config.attacks:
        build_attack(config, name, 0.0 if not ATTACKS[name].minimal else None)


def build_attack(config: EvaluationConfig, name: str, eps: float | None, **overrides) -> Attack:
    """Attack ``name`` at budget ``eps`` (None for a minimal-norm attack) with the config's parameters.

    Each parameter is given only to an attack that has it; the threat model's ``norm`` too where
    the attack offers it. Without a given ``step_size``, an attack with one iteration parameter
    (``Attack.iteration_parameters``) takes min(2.5 eps / iterations, eps); ``eps`` goes to the
    attack's ``budget_parameter``. ``overrides`` replace parameters (the sanity checks' ``steps``, ``loss``).

    Raises:
        ParameterError: a bad value for this attack.
    """
    names = {spec.name: spec for spec in ATTACKS[name].params()}
    values = {k: v for k, v in config.params.items() if k in names}
    if "norm" in names and config.norm in (names["norm"].choices or ()):
        values["norm"] = config.norm
    budget, iterations = ATTACKS[name].budget_parameter, ATTACKS[name].iteration_parameters
    if eps is not None and budget is not None:
        values[budget] = eps
    if eps is not None and "step_size" in names and len(iterations) == 1 and "step_size" not in config.params:
        steps = int(parse_number(values.get(iterations[0], names[iterations[0]].default)))
        values["step_size"] = min(STEP_SIZE_FACTOR * eps / steps, eps)  # a step beyond eps is projected back
    values.update(overrides)
    return make_attack(name, values)
