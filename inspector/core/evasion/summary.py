"""The one-line summary of an attack run, shared by the command line and the app.

Both print the same facts in the same order: the verdict, the labels, the
perturbation norms and the cost.
"""

from __future__ import annotations


def summary_parts(summary: dict) -> list[str]:
    """The pieces of a run's summary line, from ``Inspection.to_dict()``.

    Returns, in order: the verdict (``SUCCESS``, ``failed`` or ``cancelled after N
    iterations``) with the true and adversarial labels, the Linf norm in grey
    levels (of 255), the L2 norm (pixels in [0, 1]), the L0 norm (changed
    values), the cost (iterations, and gradient evaluations for white-box attacks, queries for
    black-box ones) and the attack's wall time in seconds; then, for black-box and transfer attacks, the
    threat model's line (queries and output mode, simulated attacker time, detection; or the surrogate).
    """
    norms = summary["norms"]
    if summary["cancelled"]:
        verdict = f"cancelled after {summary['iterations']} iterations"
    else:
        verdict = "SUCCESS" if summary["success"] else "failed"
    labels = f"{summary['true_label']['name']} -> {summary['adversarial']['label']['name']}"
    cost = f"{summary['iterations']} iterations, " + (
        f"{summary['queries']} queries"
        if summary["queries"]
        else f"{summary['gradient_evaluations']} gradient evaluations"
    )
    parts = [
        f"{verdict}: {labels}",
        f"Linf {norms['linf_grey']:.1f}/255",
        f"L2 {norms['l2']:.3f}",
        f"L0 {norms['l0']}",
        cost,
        f"{summary['attack_time_s']:.2f} s",
    ]
    threat = summary.get("threat_model") or {}
    return parts + ([threat["summary"]] if threat.get("summary") else [])


def summary_line(summary: dict, separator: str = "  ") -> str:
    """:func:`summary_parts` joined by ``separator``."""
    return separator.join(summary_parts(summary))
