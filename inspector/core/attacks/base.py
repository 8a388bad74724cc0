"""What every attack shares: the Attack interface, Step reports and AttackResult.

An attack is a dataclass of its parameters (see :mod:`inspector.core.util.params`)
with one batched entry point::

    attack.run(model, x, y, *, target=None, on_step=None, should_stop=None) -> AttackResult

``x`` is (N, C, H, W) float32 in [0, 1], ``y`` the (N,) true labels, ``target``
the (N,) target labels of a targeted attack (``None``: untargeted). Each
iteration reports a :class:`Step` through ``on_step`` and checks
``should_stop()``, so a user can watch and cancel: ``AttackResult.iterations``
is the number of Steps reported, and once ``should_stop()`` returns True the
run ends within one iteration with ``cancelled`` set (``iterations`` 0 if it
was True from the start). Random attacks draw only from a generator seeded by
their ``seed`` parameter, never from the global RNG. The final adversarial is
quantised to 8 bits and evaluated again: what the result reports is what a
saved PNG gives. A Linf budget holds exactly after the rounding; an L2 budget
up to it (half a grey level per value, at most 0.5/255 * sqrt(C*H*W) in L2).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import torch

from inspector.core.io.image import quantize
from inspector.core.util.errors import ModelError, ParameterError
from inspector.core.util.messages import show_path
from inspector.core.util.metrics import is_success
from inspector.core.util.params import ParamSpec, Registry, param, param_specs

if TYPE_CHECKING:
    from inspector.core.concealment.oracle import OracleReport

StepCallback = Callable[["Step"], None]
StopCheck = Callable[[], bool]

#: Parameters measured in the attack's norm (see :func:`budget_param`).
NORM_SCALED = ("eps", "step_size")
#: The largest Linf budget or step: a change of the whole [0, 1] range of a pixel value.
LINF_MAX = 1.0
#: Parameter presets: each attack's defaults, or the budgets of its paper (``Attack.PAPER``).
PRESETS = ("default", "paper")


def budget_param(default: float, help: str = "perturbation budget"):
    """An ``eps`` or ``step_size`` field in [0, 1] pixel units, measured in the attack's ``norm``.

    Its spec has no maximum, as the valid range depends on the norm: at most
    ``LINF_MAX`` for Linf (checked when the attack is built); any size for L2,
    where sqrt(C*H*W) already reaches every image of the [0, 1] cube.
    """
    return param(
        default,
        f"{help}, in [0, 1] pixel units: at most 1 for linf, more for l2 (sqrt(C*H*W) spans any image)",
        minimum=0.0,
        unit="pixel",
    )


@dataclass
class Step:
    """One iteration of an attack, as reported to ``on_step``.

    Attributes:
        iteration: 1-based iteration number.
        total: the planned number of iterations.
        loss: (N,) the attack's objective on the current iterate (higher is better for the attacker).
        probabilities: (N, K) softmax of the model's logits on the current iterate.
        x_adv: (N, C, H, W) the current iterate in [0, 1] (not yet quantised).
        success: (N,) bool, whether the current iterate fools the model; for minimal-perturbation
            attacks, whether an adversarial has been found so far (the result keeps the best one).

    ``loss``, ``probabilities`` and ``success`` all describe the image ``x_adv``
    (or its 8-bit rounding, for attacks that judge the exported image).
    """

    iteration: int
    total: int
    loss: torch.Tensor
    probabilities: torch.Tensor
    x_adv: torch.Tensor
    success: torch.Tensor


@dataclass
class AttackResult:
    """The outcome of an attack on a batch.

    Attributes:
        x_adv: (N, C, H, W) adversarial images, quantised to 8 bits (multiples of 1/255).
        logits: (N, K) the model's logits on ``x_adv``.
        success: (N,) bool, judged on the quantised ``x_adv``.
        iterations: iterations run (fewer than planned after early stop or cancel).
        gradient_evaluations: input-gradient computations (forward + backward), per batch.
        queries: queries a black-box attack made through its oracle, the most of any image
            (0 for white-box); ``query_counts`` has them per image.
        query_counts: (N,) long queries per image for black-box attacks, else None.
        loss: the objective the attack maximised (e.g. ``"ce"``, ``"margin"``).
        cancelled: ``should_stop()`` ended the attack early.
        oracle: for black-box attacks, what the query oracle saw (output mode, queries, simulated
            attacker time, detections; :class:`~inspector.core.concealment.oracle.OracleReport`), else None.
        broken_by: for an ensemble (AutoAttack), per image the member that fooled it first, ``""`` where
            none did; else None.
    """

    x_adv: torch.Tensor
    logits: torch.Tensor
    success: torch.Tensor
    iterations: int
    gradient_evaluations: int = 0
    queries: int = 0
    loss: str = ""
    cancelled: bool = False
    query_counts: torch.Tensor | None = None
    oracle: OracleReport | None = None
    broken_by: list[str] | None = None


class Attack:
    """Base class of attacks. Subclasses are dataclasses registered with :func:`register`.

    Class attributes:
        name: the registry key (``"pgd"``).
        title: the name shown to users (``"PGD"``).
        paper: authors, year, title and arXiv id of the source paper.
        threat_model: ``"white-box"``, ``"score-based"`` or ``"label-only"``.
        minimal: True for minimal-perturbation attacks (report the norm reached),
            False for budgeted ones (report success at the budget).
        PAPER: the parameter values of the paper's settings where the defaults differ
            (the defaults are budgets that finish in seconds on a CPU; see :meth:`preset`).
        budget_parameter: the parameter holding a budgeted attack's perturbation budget
            (``"eps"``); None for a minimal-norm attack, which has none.
        iteration_parameters: the integer parameters that count its iterations (``("steps",)``;
            C&W's ``("binary_search_steps", "steps")``); empty for a single-step attack. Evaluation's
            sanity checks scale these, and the contract test checks every ``steps`` parameter is one.
        query_parameter: the parameter holding a query attack's per-image query budget
            (``"max_queries"``); None for a white-box attack.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    paper: ClassVar[str] = ""
    threat_model: ClassVar[str] = "white-box"
    minimal: ClassVar[bool] = False
    PAPER: ClassVar[dict] = {}
    budget_parameter: ClassVar[str | None] = None
    iteration_parameters: ClassVar[tuple[str, ...]] = ()
    query_parameter: ClassVar[str | None] = None
    #: Declared for type checkers: the subclasses are dataclasses, so :func:`dataclasses.asdict` takes them.
    __dataclass_fields__: ClassVar[dict[str, Any]]

    def run(
        self,
        model: torch.nn.Module,
        x: torch.Tensor,
        y: torch.Tensor,
        *,
        target: torch.Tensor | None = None,
        on_step: StepCallback | None = None,
        should_stop: StopCheck | None = None,
    ) -> AttackResult:
        raise NotImplementedError

    @classmethod
    def params(cls) -> list[ParamSpec]:
        return param_specs(cls)

    @classmethod
    def preset(cls, name: str) -> dict:
        """The parameter values preset ``name`` (one of ``PRESETS``) sets: none for ``"default"``,
        ``PAPER`` for ``"paper"``.

        Raises:
            ParameterError: an unknown preset.
        """
        if name not in PRESETS:
            raise ParameterError(f"unknown preset {name!r}: choose one of {', '.join(PRESETS)}")
        return dict(cls.PAPER) if name == "paper" else {}

    def planned_cost(self, shape: tuple[int, ...]) -> tuple[int, int]:
        """Upper bounds of what a run on images of ``shape`` (C, H, W) costs per batch:
        (input gradients, queries per image); early stops only make it cheaper.

        Times the measured cost of one gradient and one query, it bounds the run's time
        (forward-only checks, a few per iteration at most, are not counted).
        """
        raise NotImplementedError

    def __post_init__(self):
        """Check what each value's own range cannot: a Linf ``eps`` or ``step_size`` is at most 1.

        Called by the dataclass constructor of every attack, so no attack can be built with one.

        Raises:
            ParameterError: naming the parameter and the norm.
        """
        norm = getattr(self, "norm", "linf")
        for name in NORM_SCALED:
            value = getattr(self, name, None)
            if norm == "linf" and value is not None and value > LINF_MAX:
                raise ParameterError(
                    f"attack {self.name!r} parameter {name!r}: {value:g} is above the maximum "
                    f"{LINF_MAX:g} for norm linf (pixel values span [0, 1]; l2 allows more)"
                )

    def check_model(self, model: torch.nn.Module) -> None:
        """Refuse a model this attack cannot run on: a white-box attack needs an input gradient.

        ``model`` is a :class:`~inspector.core.models.classifier.Classifier`; its
        ``has_input_gradient`` was found when it was probed at load.

        Raises:
            ModelError: a white-box attack on a model without input gradient; the message
                names the black-box attacks that still work.
        """
        if self.threat_model != "white-box" or getattr(model, "has_input_gradient", True):
            return
        black_box = ", ".join(name for name, cls in ATTACKS.items() if cls.threat_model != "white-box")
        raise ModelError(
            f"{show_path(getattr(model, 'name', 'the model'))}: its output has no gradient with "
            "respect to the input (a .detach(), an argmax or a rounding inside?), so the white-box "
            f"attack {self.name!r} cannot run on it; the black-box attacks still work: {black_box}"
        )

    def linf_bound(self) -> float | None:
        """The Linf budget to keep after quantisation, or None for other norms."""
        if getattr(self, "norm", "linf") == "linf" and hasattr(self, "eps"):
            return float(self.eps)
        return None


ATTACKS: Registry = Registry("attack")
register = ATTACKS.register


def make_attack(name: str, params: dict | None = None, preset: str = "default") -> Attack:
    """Build a registered attack from parameter values (text or typed), over the values of ``preset``.

    Raises:
        ParameterError: unknown attack name or preset, or a bad parameter.
    """
    cls = ATTACKS.get(name.strip().lower())
    overrides = cls.preset(preset) if cls is not None else {}
    return ATTACKS.make(name, overrides | dict(params or {}))


def straight_through_quantize(x: torch.Tensor) -> torch.Tensor:
    """The 8-bit image in the forward pass, the identity in the backward pass.

    Lets an attack judge success on what will be exported while still
    following the gradient of the continuous iterate.
    """
    return x + (quantize(x) - x).detach()


def quantized(x: torch.Tensor, x_adv: torch.Tensor, linf_bound: float | None = None) -> torch.Tensor:
    """``x_adv`` (N, C, H, W) in [0, 1] rounded to 8-bit levels, within ``linf_bound`` (in [0, 1]
    pixel units; None: no bound) of ``x`` after rounding both: what an exported image holds."""
    with torch.no_grad():
        q = quantize(x_adv)
        if linf_bound is not None:
            levels = torch.floor(torch.tensor(linf_bound * 255.0 + 1e-4))
            base = quantize(x)
            q = (base + ((q - base) * 255.0).round().clamp(-levels, levels) / 255.0).clamp(0.0, 1.0)
    return q


def finalize(
    model: torch.nn.Module,
    x: torch.Tensor,
    x_adv: torch.Tensor,
    y: torch.Tensor,
    target: torch.Tensor | None,
    *,
    linf_bound: float | None = None,
    **fields,
) -> AttackResult:
    """Quantise ``x_adv`` to 8 bits, keep it within ``linf_bound`` of ``x`` (:func:`quantized`), evaluate it.

    ``fields`` fill the rest of the :class:`AttackResult` (iterations, ...).
    """
    q = quantized(x, x_adv, linf_bound)
    with torch.no_grad():
        logits = model(q)
    return AttackResult(x_adv=q, logits=logits, success=is_success(logits, y, target), **fields)
