"""The Evaluate workspace's view state in plain, evented Python (no Qt).

Panels write the user's choices into it; the workspace listens to its events
(``state.events.result``, ``state.events.progress``) and redraws. Lists are replaced,
never changed in place, so that every change is an event. The worker runs the
:class:`~inspector.core.evaluation.EvaluationConfig` made from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from psygnal import evented

from inspector.core.attacks import ATTACKS
from inspector.core.certify.builtin import builtin_smoothing
from inspector.core.certify.settings import Smoothing
from inspector.core.evaluation import EvaluationConfig, EvaluationResult, Progress
from inspector.core.evaluation.records import MANIFEST
from inspector.core.evaluation.targets import TARGETS
from inspector.core.util.bounds import MAX_COUNT

BUILT_IN_DATA = "mnist-heldout"
#: No data chosen yet: a photo model has no built-in set, the user picks a folder.
NO_DATA = ""
#: Budgets that suit each kind of data: MNIST robustness is quoted up to 0.3 (Madry et al. 2018),
#: photos' up to 8/255; the photo budgets would call any digit model robust.
DIGIT_EPS = "0, 0.1, 0.2, 0.3"
PHOTO_EPS = "0, 1/255, 2/255, 4/255, 8/255"


@evented
@dataclass
class EvaluateState:
    """Everything the Evaluate workspace shows, apart from the widgets that show it.

    Attributes:
        data: a folder of labelled images, a built-in set (``mnist-heldout``), or :data:`NO_DATA`.
        attacks: attack names; several give the per-image worst case.
        eps: the budgets as the user typed them, comma-separated (``"0, 1/255, 2/255"``).
        steps: attack iterations, or None for each attack's default.
        target: None (untargeted), or how each image's target class is chosen (``random``, ``least-likely``).
        defenses: defence specs (``"jpeg:quality=75"``) judged non-adaptively; ``adaptive`` also attacks through them.
        out: folder of the JSONL records; a run continues there when it holds one. None: a new temporary folder.
        limit: evaluate the first ``limit`` images only; None: all.
        certify: also certify each image by randomized smoothing with ``smoothing`` (its settings by
            name: sigma, n0, n, alpha, batch_size, seed), for the certified-accuracy curve.
        progress: the last progress report of the running evaluation, or None.
        result: the last (partial while running) result, or None.
    """

    data: str = BUILT_IN_DATA
    attacks: list[str] = field(default_factory=lambda: ["fgsm"])
    eps: str = PHOTO_EPS
    steps: int | None = None
    target: str | None = None
    defenses: list[str] = field(default_factory=list)
    adaptive: bool = False
    out: str | None = None
    limit: int | None = 200
    certify: bool = False
    smoothing: dict = field(default_factory=lambda: Smoothing().values())
    progress: Progress | None = None
    result: EvaluationResult | None = None

    def suit_model(self, digits: bool) -> None:
        """Defaults that suit the model's data, where the user has not chosen otherwise: for a digit
        model the built-in digits and budgets up to 0.3; for a photo model no data (the built-in
        digits do not fit it: a folder is to be chosen) and budgets up to 8/255."""
        if digits:
            self.data = BUILT_IN_DATA if self.data == NO_DATA else self.data
            self.eps = DIGIT_EPS if self.eps == PHOTO_EPS else self.eps
        else:
            self.data = NO_DATA if self.data == BUILT_IN_DATA else self.data
            self.eps = PHOTO_EPS if self.eps == DIGIT_EPS else self.eps

    def suit_smoothing(self, model: str) -> None:
        """The noise level a built-in smoothing model was trained with (mnist-smooth-0.25, -0.50), for
        it; other models keep the sigma chosen."""
        trained = builtin_smoothing(model)
        if trained is not None:
            self.smoothing = self.smoothing | {"sigma": trained.sigma}

    def resumes(self) -> bool:
        """Whether :attr:`out` already holds an evaluation, which a run continues."""
        return self.out is not None and (Path(self.out) / MANIFEST).is_file()

    def takes_steps(self) -> bool:
        """Whether a chosen attack has a number of steps (FGSM, for one, has none)."""
        return any(spec.name == "steps" for name in self.attacks if name in ATTACKS for spec in ATTACKS[name].params())

    def use_config(self, config: EvaluationConfig) -> None:
        """Take the choices of a saved evaluation: its data, attacks, budgets, steps, target mode, defences,
        adaptive mode, image limit and smoothing settings (its model is the session's business; a new run writes a new folder)."""
        self.data = config.data
        self.attacks = [name for name in ATTACKS if name in config.attacks]
        self.eps = ", ".join(str(e) for e in config.eps)
        steps = str(config.params.get("steps", "")).strip()  # a number or its text (the command line's)
        self.steps = int(steps) if steps.isdecimal() and len(steps) <= 6 and 0 < int(steps) <= MAX_COUNT else None
        self.target = config.target if config.target in TARGETS else None
        self.defenses = list(config.defenses)
        self.adaptive = config.adaptive
        self.limit = config.limit
        self.certify = config.smoothing is not None
        if config.smoothing is not None:
            self.smoothing = self.smoothing | {k: v for k, v in config.smoothing.items() if k in self.smoothing}
        self.out = None

    def config(
        self, model: str, device: str | None, *, weights: str | None = None, trust_code: bool = False
    ) -> EvaluationConfig:
        """The evaluation of the current choices on ``model`` (with ``weights``, ``trust_code``) and ``device``."""
        return EvaluationConfig(
            data=self.data,
            model=model,
            weights=weights,
            trust_model_code=trust_code,
            attacks=list(self.attacks),
            eps=[t.strip() for t in self.eps.split(",") if t.strip()],
            params={"steps": self.steps} if self.steps is not None and self.takes_steps() else {},
            target=self.target,
            defenses=list(self.defenses),
            adaptive=self.adaptive and bool(self.defenses),
            device=device,
            limit=self.limit,
            out=self.out,
            resume=self.resumes(),
            smoothing=dict(self.smoothing) if self.certify else None,
        )
