"""Sanity checks of an evaluation (Carlini et al. 2019, "On Evaluating Adversarial Robustness",
arXiv:1902.06705, section 5), each ``ok`` or ``flag`` with the figures behind it:

* an unbounded budget must bring the accuracy down to chance (1 / classes) or below;
* more iterations (2x, 5x) must not raise the robust accuracy, nor lower it much (not converged);
* another loss (logit margin for cross-entropy) must not do much better: gradient masking;
* the adaptive attack must not do worse than the non-adaptive one;
* a black-box attack must not do better than the white-box ones (gradient masking);
* a minimal-norm attack must find an adversarial for (nearly) every image.

Differences below ``max(TOLERANCE, 2 / n)`` (two images of the subset) are not flagged.
"""

from __future__ import annotations

from inspector.core.attacks import ATTACKS
from inspector.core.evaluation.stats import wilson_interval

TOLERANCE = 0.05
#: A minimal-norm attack may fail on this fraction of the correctly classified images unflagged.
MINIMAL_FAILURES = 0.05


def _accuracy(records: list[dict], attack: str, eps, variant: str, images: set[str] | None = None):
    rows = [
        r
        for r in records
        if r["attack"] == attack
        and r["eps"] == eps
        and r["variant"] == variant
        and r["setting"] == "none"
        and (images is None or r["image"] in images)
    ]
    hits = sum(r["correct"] and r["pred"] == r["label"] for r in rows)
    return hits, len(rows), {r["image"] for r in rows}


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def sanity_checks(config, records: list[dict], robust: list[dict], classes: int) -> list[dict]:
    """The checks' rows ``{check, status, detail}`` from the good records and the robust-accuracy table."""
    checks = []
    variants = {(r["attack"], r["eps"], r["variant"]) for r in records if r["variant"] != "main"}
    for attack, eps, variant in sorted(variants, key=lambda v: (v[0], v[2])):
        hits, n, images = _accuracy(records, attack, eps, variant)
        if variant == "unbounded":
            low = wilson_interval(hits, n)[0]
            checks.append(
                {
                    "check": f"{attack} at an unbounded budget ({config.norm} {eps:g}) reaches chance",
                    "status": "flag" if low > 1 / classes else "ok",
                    "detail": f"accuracy {_pct(hits / n)} on {n} images; chance {_pct(1 / classes)}",
                }
            )
            continue
        base_hits, base_n, _ = _accuracy(records, attack, eps, "main", images)
        if base_n != n or not n:
            continue
        base, other, tol = base_hits / n, hits / n, max(TOLERANCE, 2 / n)
        if variant.startswith("steps"):
            status = "flag" if other > base + tol or other < base - tol else "ok"
            why = (
                " (more steps raised it: a broken attack)"
                if other > base + tol
                else " (more steps lowered it: not converged, use more steps)"
                if other < base - tol
                else ""
            )
            checks.append(
                {
                    "check": f"{attack} with {variant[6:]} the steps does not change the accuracy",
                    "status": status,
                    "detail": f"{_pct(base)} -> {_pct(other)} on {n} images{why}",
                }
            )
        else:
            loss = variant.removeprefix("loss ")
            masked = other < base - tol
            checks.append(
                {
                    "check": f"{attack} with the {loss} loss does not do much better",
                    "status": "flag" if masked else "ok",
                    "detail": f"{_pct(base)} with the configured loss, {_pct(other)} with {loss} on {n} images"
                    + (" (gradient masking: the configured loss's gradient is uninformative)" if masked else ""),
                }
            )
    checks += _adaptive_checks(robust)
    checks += _black_box_checks(robust)
    checks += _minimal_checks(config, records)
    return checks


def _adaptive_checks(robust: list[dict]) -> list[dict]:
    rows = {(r["attack"], r["eps"], r["setting"]): r for r in robust}
    worse = []
    for (attack, eps, setting), row in rows.items():
        other = rows.get((attack, eps, "defended"))
        if (
            setting == "adaptive"
            and other
            and row["n"]
            and other["n"]
            and row["accuracy"] > other["accuracy"] + max(TOLERANCE, 2 / row["n"])
        ):
            worse.append(
                f"{attack} eps {eps:g}: adaptive {_pct(row['accuracy'])}, non-adaptive {_pct(other['accuracy'])}"
            )
    if not any(k[2] == "adaptive" for k in rows):
        return []
    return [
        {
            "check": "the adaptive attack does at least as well as the non-adaptive one",
            "status": "flag" if worse else "ok",
            "detail": "; ".join(worse) or "at every budget",
        }
    ]


def _black_box_checks(robust: list[dict]) -> list[dict]:
    kinds = {r["attack"]: ATTACKS[r["attack"]].threat_model == "white-box" for r in robust if r["attack"] in ATTACKS}
    if all(kinds.values()) or not any(kinds.values()):
        return []
    better = []
    for setting, eps in dict.fromkeys((r["setting"], r["eps"]) for r in robust):
        rows = [r for r in robust if (r["setting"], r["eps"]) == (setting, eps) and r["attack"] in kinds and r["n"]]
        white = min((r for r in rows if kinds[r["attack"]]), key=lambda r: r["accuracy"], default=None)
        black = min((r for r in rows if not kinds[r["attack"]]), key=lambda r: r["accuracy"], default=None)
        if white and black and black["accuracy"] < white["accuracy"] - max(TOLERANCE, 2 / black["n"]):
            better.append(
                f"{setting} eps {eps:g}: {black['attack']} {_pct(black['accuracy'])}, "
                f"{white['attack']} {_pct(white['accuracy'])}"
            )
    return [
        {
            "check": "no black-box attack does better than the white-box ones",
            "status": "flag" if better else "ok",
            "detail": "; ".join(better) + " (gradient masking, or too weak a white-box attack)"
            if better
            else "at every budget",
        }
    ]


def _minimal_checks(config, records: list[dict]) -> list[dict]:
    checks = []
    for attack in sorted({r["attack"] for r in records if r["eps"] is None and r["attack"] != "clean"}):
        rows = [
            r
            for r in records
            if r["attack"] == attack and r["setting"] == "none" and r["variant"] == "main" and r["correct"]
        ]
        failed = sum(r["pred"] == r["label"] for r in rows)
        if rows:
            checks.append(
                {
                    "check": f"{attack} (minimal norm) fools every image",
                    "status": "flag" if failed > MINIMAL_FAILURES * len(rows) else "ok",
                    "detail": f"failed on {failed} of {len(rows)} correctly classified images",
                }
            )
    return checks
