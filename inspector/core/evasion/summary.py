"""The one-line summary of an attack run, shared by the command line and the app.

Both print the same facts in the same order: the verdict, the labels, the
perturbation norms and the cost.
"""

from __future__ import annotations

from inspector.core.util.units import l0_text, l2_text, linf_text, plural


def summary_parts(summary: dict) -> list[str]:
    """The pieces of a run's summary line, from ``Inspection.to_dict()``.

    Returns, in order: the verdict (``SUCCESS``, ``failed`` or ``cancelled after N
    iterations``) with the true and adversarial labels, the Linf norm in grey
    levels (``Linf 4/255``), the L2 norm with its unit, the L0 norm against the image's size
    (``134,934 of 150,528 values changed``), the cost (iterations, and gradient evaluations for white-box attacks, queries for
    black-box ones) and the attack's wall time in seconds; then, for black-box and transfer attacks, the
    threat model's line (queries and output mode, simulated attacker time, detection; or the surrogate).
    """
    norms = summary["norms"]
    if summary["cancelled"]:
        verdict = f"cancelled after {plural(summary['iterations'], 'iteration')}"
    else:
        verdict = "SUCCESS" if summary["success"] else "failed"
    labels = f"{summary['true_label']['name']} -> {summary['adversarial']['label']['name']}"
    cost = f"{plural(summary['iterations'], 'iteration')}, " + (
        plural(summary["queries"], "query", "queries")
        if summary["queries"]
        else plural(summary["gradient_evaluations"], "gradient evaluation")
    )
    height, width = summary["model"]["input_size"]
    parts = [
        f"{verdict}: {labels}",
        linf_text(norms["linf"]),
        l2_text(norms["l2"]),
        l0_text(int(norms["l0"]), summary["model"]["channels"] * height * width),
        cost,
        f"{summary['attack_time_s']:.2f} s",
    ]
    threat = summary.get("threat_model") or {}
    return parts + ([threat["summary"]] if threat.get("summary") else [])


def summary_line(summary: dict, separator: str = "  ") -> str:
    """:func:`summary_parts` joined by ``separator``."""
    return separator.join(summary_parts(summary))
