"""The rows of the "before and after defences" table, from the view state's results (no Qt).

One row for no defence, one per defence alone, one for the whole pipeline when
there are several, and with an ensemble one per member and one for the ensemble: the original's and the adversarial's top-1 under it, with their
probabilities, and whether the attack still fools the model there. Before a run the
rows name the chosen defences and wait for the attack.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.evasion.classify import Classification
from inspector.core.evasion.inspect import Inspection
from inspector.gui.workspaces.evasion.verdict import percent

WAITING = "\u2014"
NO_DEFENCE = "no defence"


@dataclass
class DefenceRow:
    """One row: ``name`` of the defence, the ``original``'s and the ``adversarial``'s top-1 (``"espresso"``)
    with probabilities in [0, 1] (None: not run yet), and ``fooled`` (None: not run yet). ``misreads_original``:
    under this defence the model already reads the clean image otherwise than without defence, so the
    defence is not credited (it counts as fooled)."""

    name: str
    original: str
    original_p: float | None
    adversarial: str
    adversarial_p: float | None
    fooled: bool | None
    misreads_original: bool = False

    def verdict(self) -> str:
        """``"fooled"``, ``"holds"``, ``"misreads the original"``, or a dash before a run."""
        if self.fooled is None:
            return WAITING
        if self.misreads_original:
            return "misreads the original"
        return "fooled" if self.fooled else "holds"

    def texts(self) -> list[str]:
        """The cells: defence, original, adversarial, verdict."""
        return [self.name, _named(self.original, self.original_p), _named(self.adversarial, self.adversarial_p)] + [
            self.verdict()
        ]


def _named(name: str, probability: float | None) -> str:
    return name if probability is None else f"{name} {percent(probability)}"


def _top(prediction: Classification) -> tuple[str, float]:
    top = prediction.top_k[0]
    return top["name"], top["probability"]


def row_name(defense: str, count: int) -> str:
    """``"no defence"`` for ``"none"``, ``"pipeline (all 4)"`` for ``"pipeline"``, else the spec."""
    if defense == "none":
        return NO_DEFENCE
    return f"pipeline (all {count})" if defense == "pipeline" else defense


def defence_rows(
    original: Classification,
    chosen: list[str],
    inspection: Inspection | None,
    members: list[str] | None = None,
    rule: str = "mean",
) -> list[DefenceRow]:
    """The table's rows: after a run, from ``inspection`` (its defences, then its ensemble's members and
    the ensemble); before, ``original``'s prediction and the ``chosen`` defence specs, and the ensemble
    of ``members`` (model names, the session's first; none: no ensemble) by ``rule``, waiting for the attack."""
    if inspection is None:
        specs = ["none"] + chosen + (["pipeline"] if len(chosen) > 1 else []) if chosen or not members else []
        if members:  # its first member is the model alone, the run's "no defence"
            specs += [f"member {m}" for m in members] + [f"ensemble ({rule} of {len(members)})"]
        rows = [DefenceRow(row_name(s, len(chosen)), WAITING, None, WAITING, None, None) for s in specs]
        rows[0].original, rows[0].original_p = _top(original)
        return rows
    if not inspection.defended:
        return [DefenceRow(NO_DEFENCE, *_top(inspection.original), *_top(inspection.adversarial), inspection.success)]
    count = len(inspection.recipe.defenses)
    reference = _top(inspection.original)[0]
    rows = []
    for row in inspection.defended:
        misreads = _top(row.original)[0] != reference
        rows.append(
            DefenceRow(
                row_name(row.defense, count),
                *_top(row.original),
                *_top(row.adversarial),
                row.success or misreads,
                misreads,
            )
        )
    return rows
