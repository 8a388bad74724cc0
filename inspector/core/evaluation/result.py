"""Aggregating the per-image records into the tables of :class:`EvaluationResult`.

Robust accuracy at a budget counts an image robust when it is classified correctly and no
attack fools it: a budgeted attack run at that budget, or a minimal-norm attack whose
adversarial is within the budget (in the threat model's norm). With several attacks this
is the per-image worst case (Croce and Hein 2020, arXiv:2003.01690). Images misclassified
before the attack count as not robust; images that failed (an error record) are left out.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import cast

import torch
from PIL import Image

from inspector.core.attacks import ATTACKS
from inspector.core.attacks.autoattack import AutoAttack
from inspector.core.evaluation.certified import CertificationResult
from inspector.core.evaluation.certified_records import CERTIFY, certification
from inspector.core.evaluation.config import EvaluationConfig, budgets, build_attack
from inspector.core.evaluation.mistaken import Mistaken, tally
from inspector.core.evaluation.sanity import sanity_checks
from inspector.core.evaluation.stats import median, quantiles, wilson_interval
from inspector.core.evaluation.targets import success_per_target

#: A minimal-norm adversarial counts within a budget up to this slack (float rounding of 8-bit images).
NORM_SLACK = 1e-6
WORST_CASE = "worst case"


@dataclass
class ExampleMaps:
    """Where the model looks on an example (:func:`inspector.core.explain.examples.add_maps`).

    Attributes:
        figure: the maps of the original and the adversarial, an RGB picture; None where they
            could not be made.
        note: the method and its sanity check, one line; or why there are no maps.
        flagged: whether the method failed its sanity check on the model.
    """

    figure: Image.Image | None
    note: str
    flagged: bool = False


@dataclass
class Example:
    """One adversarial to show: x and x_adv (1, C, H, W) in [0, 1], the true label, and the model's
    top-1 ``{index, name, probability}`` on each; and, once :func:`inspector.core.explain.examples.add_maps`
    has run, where the model looks on them (``maps``)."""

    image: str
    attack: str
    eps: float | None
    x: torch.Tensor
    x_adv: torch.Tensor
    label: int
    original_top: dict
    adversarial_top: dict
    maps: ExampleMaps | None = None


@dataclass
class EvaluationResult:
    """What :func:`~inspector.core.evaluation.runner.evaluate` returns.

    Attributes:
        config: the configuration run.
        class_names: the model's class names.
        versions: product, Python, torch and model versions.
        images: images in the data set (after ``limit``); ``failed`` those with an error, listed in ``errors``.
        clean: per setting (``none``, ``defended``), ``{correct, n, accuracy, ci}``.
        robust: rows ``{setting, attack, eps, n, robust, accuracy, ci, success_rate, median_linf, median_l2}``,
            one per setting, attack (and ``"worst case"``) and budget; accuracies in [0, 1]; an ensemble's
            rows above eps 0 add ``broken_by``, ``{member: images it fooled}`` for every member in the
            ensemble's order, 0 where it fooled none (:func:`broken_by_text` words it).
        minimal: rows ``{setting, attack, norm, n, failed, quantiles, needed}``: the norm each minimal-norm
            attack needed, over the n images classified correctly (``needed``: the finite ones, sorted;
            robust accuracy at eps is (correct - those <= eps) / images).
        sanity: rows ``{check, status, detail}`` with status ``ok`` or ``flag``; a check that does not apply is left out.
        mistaken: who is mistaken for whom, per setting, attack (and worst case) and budget above 0
            (:class:`~inspector.core.evaluation.mistaken.Mistaken`).
        targets: a targeted evaluation's success per target class, rows
            ``{setting, attack, eps, target, n, reached, rate, ci}`` per setting, attack and budget above 0
            (:func:`~inspector.core.evaluation.targets.success_per_target`); empty when untargeted.
        examples: a few adversarials made in this run.
        certified: with ``config.smoothing``, the randomized-smoothing certificates of the images certified
            so far and their certified-accuracy curve; None without.
        stopped: the run was stopped before the end; the tables cover what was done.
        batch_size: images per attack batch.
    """

    config: EvaluationConfig
    class_names: tuple[str, ...]
    versions: dict
    images: int
    failed: int
    errors: list[dict]
    clean: dict[str, dict]
    robust: list[dict]
    minimal: list[dict]
    sanity: list[dict]
    mistaken: list[Mistaken] = field(default_factory=list)
    targets: list[dict] = field(default_factory=list)
    examples: list[Example] = field(default_factory=list)
    stopped: bool = False
    batch_size: int = 0
    certified: CertificationResult | None = None

    @property
    def flagged(self) -> bool:
        return any(row["status"] == "flag" for row in self.sanity)

    def to_dict(self) -> dict:
        """JSON-ready, without the example images."""
        return {
            "config": self.config.to_dict(),
            "versions": self.versions,
            "images": self.images,
            "failed": self.failed,
            "errors": self.errors,
            "clean": self.clean,
            "robust": self.robust,
            "minimal": self.minimal,
            "sanity": self.sanity,
            "mistaken": [m.to_dict() for m in self.mistaken],
            "targets": self.targets,
            "stopped": self.stopped,
            "batch_size": self.batch_size,
            "certified": None if self.certified is None else self.certified.to_dict(),
        }


def proportion(hits: int, n: int) -> dict:
    """``{robust|correct: hits, n, accuracy, ci}`` with the Wilson 95 % interval."""
    return {"n": n, "accuracy": hits / n if n else math.nan, "ci": list(wilson_interval(hits, n))}


def summarize(
    config: EvaluationConfig,
    model,
    samples,
    records: list[dict],
    *,
    stopped: bool,
    examples: list[Example],
    versions: dict,
    batch_size: int,
) -> EvaluationResult:
    """Build the :class:`EvaluationResult` from the records (main variant for the tables; the certificates,
    with ``config.smoothing``, for :attr:`EvaluationResult.certified`: an image they failed on still counts
    in the attacks' tables)."""
    errors = [{"image": r["image"], "attack": r["attack"], "error": r["error"]} for r in records if r.get("error")]
    bad = {e["image"] for e in errors if e["attack"] != CERTIFY}
    good = [r for r in records if not r.get("error") and r["image"] not in bad and r["attack"] != CERTIFY]
    by_key = {(r["image"], r["attack"], r["eps"], r["setting"], r["variant"]): r for r in good}
    clean = {}
    settings = ["none"] + (["defended"] if config.defenses else []) + (["adaptive"] if config.adaptive else [])
    for s in settings:
        rows = [r for r in good if r["attack"] == "clean" and r["setting"] == ("defended" if s == "adaptive" else s)]
        if s != "adaptive":
            clean[s] = {"correct": sum(r["correct"] for r in rows)} | proportion(
                sum(r["correct"] for r in rows), len(rows)
            )
    robust, minimal, mistaken, targets = [], [], [], []
    eps_list = budgets(config)
    members = _ensemble_members(config, eps_list[-1])
    for s in settings:
        images = sorted(
            {
                r["image"]
                for r in good
                if r["attack"] == "clean" and r["setting"] == ("defended" if s == "adaptive" else s)
            }
        )
        for eps in eps_list:
            verdicts = {}
            for name in config.attacks:
                verdicts[name] = _verdicts(by_key, images, name, eps, s, config.norm)
                robust.append(_row(s, name, eps, verdicts[name], members.get(name, []) if eps > 0 else []))
                if eps > 0:
                    mistaken.append(tally(s, name, eps, verdicts[name]))
                    targets += success_per_target(s, name, eps, verdicts[name])
            if len(config.attacks) > 1:
                common = [i for i in images if all(i in v for v in verdicts.values())]
                worst = {i: _worst(verdicts, i, config.norm) for i in common}
                robust.append(_row(s, WORST_CASE, eps, worst))
                if eps > 0:
                    mistaken.append(tally(s, WORST_CASE, eps, worst))
        for name in config.attacks:
            if ATTACKS[name].minimal:
                minimal.append(_minimal_row(by_key, images, name, s, config.norm))
    return EvaluationResult(
        config,
        tuple(model.class_names),
        versions,
        len(samples),
        len(bad),
        errors,
        clean,
        robust,
        minimal,
        sanity_checks(config, good, robust, len(model.class_names)),
        mistaken,
        targets,
        examples,
        stopped,
        batch_size,
        None
        if config.smoothing is None
        else certification(model.name, config.data, config.smoothing, [r for r in records if r["image"] not in bad]),
    )


def _verdicts(by_key, images, attack, eps, setting, norm) -> dict[str, tuple[bool, bool, dict | None]]:
    """image -> (robust, correct, the attack's record or None) for the images with the records needed."""
    out = {}
    clean_setting = "defended" if setting == "adaptive" else setting
    for image in images:
        clean = by_key.get((image, "clean", None, clean_setting, "main"))
        if clean is None:
            continue
        if ATTACKS[attack].minimal:
            r = by_key.get((image, attack, None, setting, "main"))
            if r is None:
                continue
            fooled = r["pred"] != r["label"] and r[norm] <= eps + NORM_SLACK
        elif eps == 0:
            r, fooled = None, False
        else:
            r = by_key.get((image, attack, eps, setting, "main"))
            if r is None:
                continue
            fooled = r["pred"] != r["label"]
        out[image] = (clean["correct"] and not fooled, clean["correct"], r)
    return out


def _worst(verdicts: dict, image: str, norm: str) -> tuple[bool, bool, dict | None]:
    """(robust, correct, record) of one image over all attacks: the record is the smallest fooling
    perturbation's, or where none fooled it the first attack's (None where no attack ran: eps 0)."""
    fooling = [v[image][2] for v in verdicts.values() if not v[image][0] and v[image][2] is not None]
    ran = [v[image][2] for v in verdicts.values() if v[image][2] is not None]
    correct = next(iter(verdicts.values()))[image][1]
    return (
        all(v[image][0] for v in verdicts.values()),
        correct,
        min(fooling, key=lambda r: r[norm]) if fooling else (ran[0] if ran else None),
    )


def _ensemble_members(config: EvaluationConfig, eps: float) -> dict[str, list[str]]:
    """The member labels, in order, of each chosen ensemble attack (AutoAttack) at budget ``eps`` (none at 0)."""
    ensembles = [name for name in config.attacks if issubclass(ATTACKS[name], AutoAttack)] if eps > 0 else []
    return {
        name: [label for label, _ in cast(AutoAttack, build_attack(config, name, eps)).members()] for name in ensembles
    }


def broken_by_text(row: dict) -> str:
    """``"apgd-ce 40, apgd-t 3, fab-t 0, square 1"``: how many images each ensemble member fooled in a
    robust-accuracy row; ``""`` for a row without ``broken_by``."""
    return ", ".join(f"{member} {count}" for member, count in row.get("broken_by", {}).items())


def _row(setting: str, attack: str, eps: float, verdicts: dict, members: Sequence[str] = ()) -> dict:
    """One table row; the success rate is among the images classified correctly, the norms over those fooled;
    ``broken_by`` counts the images each member fooled, for each of ``members`` (an ensemble's, in order) and
    any other a record names."""
    n = len(verdicts)
    hits = sum(robust for robust, _, _ in verdicts.values())
    correct = sum(correct for _, correct, _ in verdicts.values())
    fooled = [r for robust, correct, r in verdicts.values() if correct and not robust and r is not None]
    counts = Counter(r["member"] for r in fooled if r.get("member"))
    broken_by = {m: counts[m] for m in members} | dict(sorted(counts.items()))
    return (
        {"setting": setting, "attack": attack, "eps": eps, "robust": hits}
        | proportion(hits, n)
        | {
            "success_rate": (correct - hits) / correct if correct else math.nan,
            "median_linf": median([r["linf"] for r in fooled]),
            "median_l2": median([r["l2"] for r in fooled]),
        }
        | ({"broken_by": broken_by} if broken_by else {})
    )


def _minimal_row(by_key, images, attack, setting, norm) -> dict:
    needed = []
    for image in images:
        r = by_key.get((image, attack, None, setting, "main"))
        if r is not None and r["correct"]:
            needed.append(r[norm] if r["pred"] != r["label"] else math.inf)
    return {
        "setting": setting,
        "attack": attack,
        "norm": norm,
        "n": len(needed),
        "failed": sum(1 for v in needed if v == math.inf),
        "quantiles": quantiles(needed),
        "needed": sorted(v for v in needed if v != math.inf),
    }
