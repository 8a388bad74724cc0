"""The report's sections on who is mistaken for whom and, for a targeted evaluation, the success per
target class (HTML fragments; see :mod:`inspector.core.evaluation.mistaken` and
:mod:`inspector.core.evaluation.targets`)."""

from __future__ import annotations

import html
import math

from inspector.core.evaluation.mistaken import Mistaken, phrase
from inspector.core.evaluation.plot import eps_label
from inspector.core.evaluation.result import WORST_CASE, EvaluationResult

#: The style of the matrix tables, for the report's ``<style>``.
STYLE = """
div.matrix { overflow-x: auto } table.matrix { font-size: 0.85em } table.matrix td { padding: 2px 4px; min-width: 1.3em }
table.matrix td.l { white-space: nowrap } table.matrix th.v { writing-mode: vertical-rl; transform: rotate(180deg);
text-align: left; font-weight: normal; white-space: nowrap; padding: 5px 2px }
ul.read-as { padding-left: 1.2em } ul.read-as li { margin: 0.15em 0 }
"""
#: The cell colour at a share of 1 (a share s of the row's images attacked is drawn at opacity s).
HEAT = "198, 40, 40"


def shown(result: EvaluationResult) -> list[Mistaken]:
    """The matrices to show first: per setting, at the largest budget, the worst case where there is
    one, else each attack."""
    out: list[Mistaken] = []
    for setting in dict.fromkeys(m.setting for m in result.mistaken):
        rows = [m for m in result.mistaken if m.setting == setting]
        largest = [m for m in rows if m.eps == max(r.eps for r in rows)]
        out += [m for m in largest if m.attack == WORST_CASE] or largest
    return out


def title(mistaken: Mistaken, norm: str, settings: dict[str, str]) -> str:
    """``"no defence: pgd at linf 8/255"`` (plain text)."""
    return f"{settings[mistaken.setting]}: {mistaken.attack} at {norm} {eps_label(mistaken.eps)}"


def mistaken_section(result: EvaluationResult, settings: dict[str, str]) -> str:
    """``<h2>`` and, per matrix :func:`shown`, its phrases and its table; "" when nothing was attacked."""
    parts = []
    for m in shown(result):
        if not m.attacked:
            continue
        parts.append(f"<h3>{_e(title(m, result.config.norm, settings))}</h3>")
        parts.append(_matrix_table(m, result.class_names))
        parts.append(
            '<ul class="read-as">'
            + "".join(f"<li>{_e(phrase(m, c, result.class_names))}</li>" for c in sorted(m.attacked))
            + "</ul>"
        )
    if not parts:
        return ""
    intro = (
        '<p class="muted">Each image classified correctly and attacked counts in its true class (row); '
        "each one fooled, in the class it is read as (column). Percentages are of the row's images "
        "attacked; the diagonal is empty.</p>"
    )
    return f'<h2 id="mistaken">Who is mistaken for whom</h2>{intro}' + "".join(parts)


def _matrix_table(m: Mistaken, names) -> str:
    """Rows: the true classes with an image fooled; columns: the classes they are read as."""
    rows = sorted({s for s, _ in m.counts})
    columns = sorted({a for _, a in m.counts})
    if not rows:
        return '<p class="muted">No image was fooled.</p>'
    head = (
        '<tr><th class="l">true class \\ read as</th>'
        + "".join(f'<th class="v">{_e(names[a])}</th>' for a in columns)
        + "<th>fooled</th></tr>"
    )
    body = ""
    for s in rows:
        n = m.attacked[s]
        cells = ""
        for a in columns:
            k = m.counts.get((s, a), 0)
            shade = f' style="background: rgba({HEAT}, {k / n:.2f})"' if k else ""
            cells += f'<td{shade} title="{_e(names[s])} read as {_e(names[a])}: {k} of {n}">{k or ""}</td>'
        body += f'<tr><td class="l">{_e(names[s])}</td>{cells}<td>{m.fooled(s)} / {n}</td></tr>'
    return f'<div class="matrix"><table class="matrix">{head}{body}</table></div>'


def targets_section(result: EvaluationResult, settings: dict[str, str]) -> str:
    """``<h2>`` and, per setting and attack at the largest budget, the success per target class;
    "" for an untargeted evaluation."""
    if not result.targets:
        return ""
    largest = max(r["eps"] for r in result.targets)
    parts = [
        f"<h2>Success per target class <span class='muted'>(targets: {_e(result.config.target)})</span></h2>",
        '<p class="muted">Of the images classified correctly and aimed at a class, the share the attack made '
        "the model read as it; 95 % Wilson intervals.</p>",
    ]
    for setting, attack in dict.fromkeys((r["setting"], r["attack"]) for r in result.targets):
        rows = [r for r in result.targets if (r["setting"], r["attack"], r["eps"]) == (setting, attack, largest)]
        parts.append(
            f"<h3>{_e(settings[setting])}: {_e(attack)} at {_e(result.config.norm)} {eps_label(largest)}</h3>"
            "<table><tr><th class='l'>target class</th><th>images aimed</th><th>reached</th>"
            "<th>success</th><th>95 % CI (Wilson)</th></tr>"
            + "".join(
                f"<tr><td class='l'>{_e(result.class_names[r['target']])}</td><td>{r['n']}</td>"
                f"<td>{r['reached']}</td><td><b>{_pct(r['rate'])}</b></td>"
                f"<td>{_pct(r['ci'][0])} – {_pct(r['ci'][1])}</td></tr>"
                for r in rows
            )
            + "</table>"
        )
    return "".join(parts)


def _e(text) -> str:
    return html.escape(str(text))


def _pct(x: float) -> str:
    return "-" if math.isnan(x) else f"{100 * x:.1f} %"
