"""The one-line verdict of a run, in words a stakeholder reads at a glance.

``"espresso → loupe, 100 %, perturbation 4/255: invisible"``: the model's class on the
original, its class on the adversarial with the probability, the largest change of a
pixel value in grey levels (Linf, of 255) and how visible such a change is. Built only
from the run's values (:class:`~inspector.core.evasion.inspect.Inspection`).
"""

from __future__ import annotations

from inspector.core.evasion.inspect import Inspection

#: Largest change (grey levels of 255) still described as invisible, then as hard to see.
INVISIBLE_UP_TO = 8
HARD_TO_SEE_UP_TO = 16


def percent(probability: float) -> str:
    """``"78 %"`` for 0.78."""
    return f"{100 * probability:.0f} %"


#: How the rows of an ensemble's members and of the ensemble start (see :mod:`inspector.core.evasion.ensembled`).
ENSEMBLE_ROWS = ("member ", "ensemble (")


def visibility(linf_grey: float) -> str:
    """How visible a perturbation of at most ``linf_grey`` grey levels (of 255) per value is:
    ``"invisible"`` up to 8, ``"hard to see"`` up to 16, ``"visible"`` above."""
    if linf_grey <= INVISIBLE_UP_TO:
        return "invisible"
    return "hard to see" if linf_grey <= HARD_TO_SEE_UP_TO else "visible"


def verdict_line(inspection: Inspection) -> str:
    """One line: what the model saw before and after the attack, how confident, and the perturbation.

    A cancelled run says so first; a failed attack says the model held. With defences, the count
    of single defences that held is appended (``"· 1 of 4 defences held"``), with an ensemble its
    verdict and the count of its members that held (``"· ensemble fooled (1 of 3 members held)"``);
    a defence under which the model already misreads the clean image is not credited, and their number is said.
    """
    true = inspection.original.top_k[0]["name"]
    top = inspection.adversarial.top_k[0]
    linf = inspection.norms()["linf_grey"]
    change = f"perturbation {linf:.0f}/255: {visibility(linf)}"
    if inspection.success:
        line = f"{true} \u2192 {top['name']}, {percent(top['probability'])}, {change}"
    else:
        line = f"{true} holds ({top['name']} {percent(top['probability'])}), {change}"
    if inspection.attack.cancelled:
        line = f"cancelled after {inspection.attack.iterations} iterations: {line}"
    ensemble = [row for row in inspection.defended if row.defense.startswith(ENSEMBLE_ROWS)]
    single = [row for row in inspection.defended if not row.defense.startswith(("none", "pipeline", *ENSEMBLE_ROWS))]
    if single:
        misread = sum(row.original.top_k[0]["name"] != true for row in single)
        held = sum(not row.success and row.original.top_k[0]["name"] == true for row in single)
        line += f" \u00b7 {held} of {len(single)} defences held"
        if misread:
            line += f" ({misread} misread the original)"
    if ensemble:
        held = sum(not row.success for row in ensemble[:-1])
        verdict = "fooled" if ensemble[-1].success else "held"
        line += f" \u00b7 ensemble {verdict} ({held} of {len(ensemble) - 1} members held)"
    return line
