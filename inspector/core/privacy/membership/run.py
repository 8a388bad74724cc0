"""One membership-inference run: a shipped MNIST model, an attack, a balanced evaluation set
-> a :class:`MembershipResult`. The CLI (``inspector membership``), the GUI and
``bench/privacy_membership.py`` all call :func:`run_membership`.

The attacks (``loss``, ``lira-offline``, ``lira-online``, ``label-only``) are
:data:`~inspector.core.privacy.membership.attacks.MEMBERSHIP_ATTACKS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np
import torch

from inspector.core.models.zoo.mnist_cnn import MNIST_MODELS
from inspector.core.privacy.membership import metrics
from inspector.core.privacy.membership.attack import MembershipAttack, MembershipProgress
from inspector.core.privacy.membership.attacks import MEMBERSHIP_ATTACKS
from inspector.core.privacy.membership.attacks.label_only import LabelOnly
from inspector.core.privacy.membership.attacks.lira import LiRA
from inspector.core.privacy.membership.data import EvaluationSet, balanced_set, load_digits, same_writers
from inspector.core.privacy.membership.reference import ReferenceModels
from inspector.core.util.bounds import MAX_MEMBERSHIP_SEED, check_seed
from inspector.core.util.bounds import check_count as check_bounded
from inspector.core.util.errors import ParameterError

#: The false positive rate of the reported operating point.
FPR = 0.01
#: The lower rate Carlini et al. also report, which 2,000 non-members cannot measure.
LOW_FPR = 0.001
EXPOSED = 16


@dataclass(frozen=True)
class MembershipConfig:
    """What to run.

    Attributes:
        model: a shipped MNIST model (:data:`~inspector.core.models.zoo.mnist_cnn.MNIST_MODELS`): their
            training set is known (the first 8,000 digits).
        attack: a name in :data:`~inspector.core.privacy.membership.attacks.MEMBERSHIP_ATTACKS`.
        members: members in the evaluation set, and as many non-members (1..2000).
        references, queries: the attack's parameters, where it has them (LiRA's reference
            models, even, 2..256; label-only's HopSkipJump queries per digit); the others ignore them.
        seed: the evaluation set's draw, the bootstrap and HopSkipJump.
        data: the folder with the MNIST IDX files (None: ../shared/data/mnist).
        cache: the reference models' cache folder (None: the user cache folder).
    """

    model: str = "mnist-standard"
    attack: str = "loss"
    members: int = 2000
    references: int = LiRA.references
    queries: int = LabelOnly.queries
    seed: int = 0
    data: str | None = None
    cache: str | None = None

    def check(self) -> MembershipAttack:
        """The attack, built from its parameters here.

        Raises:
            ParameterError: an unknown model or attack, a bad attack parameter, members out of
                range, or a seed outside 0..MAX_MEMBERSHIP_SEED (each error's ``param`` names the field).
        """
        if self.model not in MNIST_MODELS:
            raise ParameterError(
                f"membership inference needs a model whose training set is known: "
                f"{self.model!r} is not one of {', '.join(MNIST_MODELS)}",
                param="model",
            )
        cls = MEMBERSHIP_ATTACKS.get(self.attack.strip().lower())
        attack = MEMBERSHIP_ATTACKS.make(
            self.attack, {s.name: getattr(self, s.name) for s in cls.params()} if cls is not None else {}
        )
        # reference models train with seed x 10^10
        check_seed(self.seed, "the seed", maximum=MAX_MEMBERSHIP_SEED, param="seed")
        check_bounded(self.members, "the number of members", param="members")
        balanced_set(self.members, self.seed)
        return attack


@dataclass
class MembershipResult:
    """A membership attack's outcome on a balanced evaluation set.

    Attributes:
        auc, tpr: ROC AUC and TPR at :data:`FPR`, with 95 % bootstrap CIs; ``tpr`` is None where
            the non-members are too few to measure it (:func:`metrics.measurable`).
        same_writers_auc: the AUC of the members from digits 5,000-7,999 (the non-members'
            writers) against all non-members: the control for the MNIST writer confound (None
            when the set has no such member).
        fpr_curve, tpr_curve: the ROC curve (k,) each.
        index, is_member, scores, risk: per record of the evaluation set (2n,): the digit's
            index in the 10,000, its membership, the attack's score and its risk in [0, 1].
        exposed: indices (into ``index``) of the members with the highest risk, most exposed first.
        exposed_images: (len(exposed), 1, 28, 28) their pixels in [0, 1]; ``exposed_labels`` (len(exposed),).
        unmeasurable: the figures that this set size cannot measure, each with why.
    """

    config: MembershipConfig
    auc: metrics.Estimate
    tpr: metrics.Estimate | None
    same_writers_auc: metrics.Estimate | None
    fpr_curve: np.ndarray
    tpr_curve: np.ndarray
    index: np.ndarray
    is_member: np.ndarray
    scores: np.ndarray
    risk: np.ndarray
    exposed: np.ndarray
    exposed_images: torch.Tensor
    exposed_labels: np.ndarray
    seconds: float
    unmeasurable: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    @property
    def members(self) -> int:
        return int(self.is_member.sum())

    @property
    def non_members(self) -> int:
        return len(self.is_member) - self.members

    def to_json(self, curve_points: int = 400) -> dict:
        """A JSON-ready summary: the config (which reproduces the run), the figures with their CIs,
        the ROC curve (at most ``curve_points`` points, kept at low FPR) and the exposed digits."""
        keep = _thin(self.fpr_curve, curve_points)
        return {
            "config": asdict(self.config),
            "members": self.members,
            "non_members": self.non_members,
            "auc": self.auc.to_json(),
            f"tpr_at_{FPR:g}_fpr": self.tpr.to_json() if self.tpr is not None else None,
            "same_writers_auc": self.same_writers_auc.to_json() if self.same_writers_auc is not None else None,
            "unmeasurable": self.unmeasurable,
            "roc": {"fpr": self.fpr_curve[keep].tolist(), "tpr": self.tpr_curve[keep].tolist()},
            "most_exposed": [
                {
                    "digit": int(self.index[i]),
                    "label": int(self.exposed_labels[j]),
                    "risk": float(self.risk[i]),
                    "score": float(self.scores[i]),
                }
                for j, i in enumerate(self.exposed)
            ],
            "details": self.details,
            "seconds": round(self.seconds, 1),
        }


def _thin(fpr: np.ndarray, points: int) -> np.ndarray:
    """Indices of at most ``points`` curve points, log-spaced in FPR, with both ends."""
    if len(fpr) <= points:
        return np.arange(len(fpr))
    targets = np.r_[0.0, np.logspace(np.log10(max(fpr[fpr > 0].min(), 1e-6)), 0, points - 1)]
    return np.unique(np.searchsorted(fpr, targets).clip(0, len(fpr) - 1))


def run_membership(
    config: MembershipConfig,
    *,
    on_progress: Callable[[MembershipProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> MembershipResult | None:
    """Run ``config``; None if stopped (finished reference models stay in the cache).

    Raises:
        ParameterError: a bad configuration (see :meth:`MembershipConfig.check`).
        ImageError: the MNIST files are missing.
        ModelError: the model's weights are missing or unreadable.
        ExportError: the reference models' cache cannot be written.
    """
    from inspector.core.models.loading import load_model

    attack = config.check()
    start = time.perf_counter()
    report = on_progress or (lambda p: None)
    digits = load_digits(config.data)
    evaluation = balanced_set(config.members, config.seed)
    references = None
    if attack.needs_references:
        references = ReferenceModels(MNIST_MODELS[config.model], digits, seed=config.seed, cache=config.cache)
        references.check(config.references)  # a bad cache fails before the model loads
    model = load_model(config.model, "cpu")
    x, y = digits.x[evaluation.index], digits.y[evaluation.index]
    details: dict = {}
    scores = attack.scores(
        model,
        x,
        y,
        seed=config.seed,
        evaluation=evaluation,
        references=references,
        report=report,
        should_stop=should_stop,
        details=details,
    )
    if scores is None:
        return None
    report(MembershipProgress("statistics", 0, 1))
    return _summarise(config, evaluation, scores.double().numpy(), digits, details, time.perf_counter() - start)


def _summarise(config, evaluation: EvaluationSet, scores: np.ndarray, digits, details, seconds) -> MembershipResult:
    member = evaluation.is_member.numpy()
    n0 = int((~member).sum())
    auc = metrics.bootstrap(scores, member, metrics.auc, seed=config.seed)
    tpr = None
    unmeasurable = []
    if metrics.measurable(FPR, n0):
        tpr = metrics.bootstrap(scores, member, lambda s, m: metrics.tpr_at_fpr(s, m, FPR), seed=config.seed)
    else:
        unmeasurable.append(
            f"TPR at {FPR:.0%} FPR: with {n0} non-members it would rest on {FPR * n0:g} false "
            f"positives, fewer than {metrics.MIN_FALSE_POSITIVES}"
        )
    unmeasurable.append(
        f"TPR at {LOW_FPR:.1%} FPR: with {n0} non-members it would rest on {LOW_FPR * n0:g} false "
        f"positives; it needs at least {int(metrics.MIN_FALSE_POSITIVES / LOW_FPR):,} non-members"
    )
    matched = same_writers(evaluation).numpy()
    same = (
        metrics.bootstrap(scores[matched], member[matched], metrics.auc, seed=config.seed)
        if member[matched].any()
        else None
    )
    fpr_curve, tpr_curve = metrics.roc_curve(scores, member)
    risk = metrics.risk(scores, scores[~member])
    members = np.nonzero(member)[0]
    exposed = members[np.lexsort((-scores[members], -risk[members]))][:EXPOSED]
    picked = evaluation.index[torch.from_numpy(exposed)]
    return MembershipResult(
        config,
        auc,
        tpr,
        same,
        fpr_curve,
        tpr_curve,
        evaluation.index.numpy(),
        member,
        scores,
        risk,
        exposed,
        digits.x[picked],
        digits.y[picked].numpy(),
        seconds,
        unmeasurable,
        details,
    )
