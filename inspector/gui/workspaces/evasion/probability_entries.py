"""What the probability panel shows: entries built from the view state's results.

One attack gives two charts, side by side: the original and the adversarial, with
detector flags in the titles; the adversarial's keeps the true class (the model's
top-1 on the original) as an extra row when it falls out of the top k. The defences
have their own table (:mod:`.defence_rows`). A model comparison
gives one column per model, side by side: its prediction on the original, on
the first model's adversarial (transfer) and, when asked for, on an attack
made on it directly.
"""

from __future__ import annotations

from inspector.core.evasion.classify import Classification
from inspector.core.evasion.compare import Comparison
from inspector.core.evasion.inspect import Inspection
from inspector.gui.probabilities import ProbabilityEntry


def attack_entries(original: Classification, inspection: Inspection | None) -> list[ProbabilityEntry]:
    """The original's and, after an attack, the adversarial's bars (the true class kept, see :func:`with_true`)."""
    true = original.label
    flags = detector_flags(inspection.detections if inspection is not None else [])
    entries = [ProbabilityEntry("original" + flags["original"], original.top_k, {true: "true"})]
    if inspection is None:
        return entries + [ProbabilityEntry("adversarial (run an attack)", [])]
    verdict = "fooled" if inspection.success else "not fooled"
    entries.append(
        ProbabilityEntry(
            f"adversarial ({verdict}){flags['adversarial']}",
            with_true(inspection.adversarial, original.top_k[0]),
            _highlight(inspection.adversarial, true, inspection.target),
        )
    )
    return entries


def with_true(prediction: Classification, true: dict) -> list[dict]:
    """``prediction``'s top-k rows, and a last row for the ``true`` class (a top-k row of the original:
    its index and name) with its probability here, when it is not among them."""
    if any(row["index"] == true["index"] for row in prediction.top_k):
        return prediction.top_k
    return prediction.top_k + [true | {"probability": float(prediction.probabilities[true["index"]])}]


def comparison_entries(comparison: Comparison) -> tuple[list[ProbabilityEntry], int]:
    """Entries row by row for a grid with one column per model, and the number of columns.

    Rows: the original; the first model's adversarial (the attack itself for the first
    model, a transfer for the others); each model attacked directly, when asked for.
    Attack titles name the loss the attack maximised (``ce``, ``margin``...).
    """
    source = comparison.source
    true = source.original.label
    target = source.target
    rows = [
        [ProbabilityEntry(f"{m.model} \u00b7 original", m.original.top_k, {true: "true"}) for m in comparison.models]
    ]
    transfer = []
    for i, m in enumerate(comparison.models):
        if i == 0:
            title = f"{m.model} \u00b7 attacked ({source.attack.loss}): {_fooled(source.success)}"
        else:
            title = f"{m.model} \u00b7 transfer: {_fooled(m.transfer_fooled)}"
        transfer.append(ProbabilityEntry(title, m.transfer.top_k, _highlight(m.transfer, true, target)))
    rows.append(transfer)
    if all(m.direct is not None for m in comparison.models):
        rows.append(
            [
                ProbabilityEntry(
                    f"{m.model} \u00b7 direct ({m.direct.attack.loss}): {_fooled(m.direct.success)}",
                    m.direct.adversarial.top_k,
                    _highlight(m.direct.adversarial, true, target),
                )
                for m in comparison.models
            ]
        )
    return [entry for row in rows for entry in row], len(comparison.models)


def detector_flags(detections: list[dict]) -> dict[str, str]:
    """Title suffixes with each detector's score, threshold and flag, for the original and the adversarial."""
    flags = {"original": "", "adversarial": ""}
    for report in detections:
        for side in flags:
            if not report["available"]:
                flags[side] += f" \u00b7 {report['title']}: n/a ({_why(report['reason'])})"
                continue
            verdict = "FLAGGED" if report[side]["flagged"] else "passes"
            flags[side] += (
                f" \u00b7 {report['title']} {report[side]['score']:.3g} vs {report['threshold']:.3g}: {verdict}"
            )
    return flags


def _why(reason: str) -> str:
    """The part of a core message after the detector's name: what is missing."""
    return reason.split(": ", 1)[-1]


def _fooled(fooled: bool) -> str:
    return "fooled" if fooled else "holds"


def _highlight(prediction: Classification, true: int, target: int | None = None) -> dict[int, str]:
    highlight = {prediction.label: "adversarial", true: "true"}
    if target is not None:
        highlight[target] = "target"
    return highlight
