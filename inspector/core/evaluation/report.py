"""A self-contained HTML report of an evaluation: one file, images embedded as base64 PNG."""

from __future__ import annotations

import dataclasses
import json
import math
import os
from datetime import UTC, datetime

from inspector.core.evaluation.config import build_attack
from inspector.core.evaluation.html import STYLE, _e, _pct, _png, _table
from inspector.core.evaluation.plot import eps_label, robustness_plot
from inspector.core.evaluation.report_certified import curve_section, method_table
from inspector.core.evaluation.report_mistaken import STYLE as MATRIX_STYLE
from inspector.core.evaluation.report_mistaken import mistaken_section, targets_section
from inspector.core.evaluation.result import EvaluationResult, Example
from inspector.core.io.figure import side_by_side
from inspector.core.io.files import write_atomically

#: The id of the ``<script type="application/json">`` block holding the recipe and tables (for ``inspector replay``).
REPORT_RECIPE_ID = "inspector-recipe"

SETTINGS = {
    "none": "no defence",
    "defended": "defended, non-adaptive attack (made on the bare model)",
    "adaptive": "defended, adaptive attack (BPDA / EOT through the defences)",
}


def render_html(result: EvaluationResult) -> str:
    """The report as one HTML document (str): threat model and recipe, sanity checks, the plot,
    the tables with 95 % confidence intervals, the certified-accuracy curve (with certificates), who is mistaken for whom (and, targeted, the success per
    target class), example adversarials and the versions."""
    c, v = result.config, result.versions
    largest = max((r["eps"] for r in result.robust), default=0.0)
    attacks = {name: dataclasses.asdict(build_attack(c, name, largest if largest else None)) for name in c.attacks}
    flags = [s for s in result.sanity if s["status"] == "flag"]
    parts = [
        f"<h1>Robustness of {_e(v['model'])} on {_e(c.data)}</h1>",
        f'<p class="muted">{result.images} images, {result.failed} failed; written '
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC by Robustness Inspector {_e(v['inspector'])}</p>",
    ]
    if c.sanity:
        parts.append(
            f'<div class="banner bad"><b>{len(flags)} sanity check(s) failed</b>: these numbers likely '
            "overstate robustness (see Sanity checks).</div>"
            if flags
            else '<div class="banner good">All sanity checks passed.</div>'
        )
    parts.append("<h2>Threat model and recipe</h2>")
    parts.append(
        _table(
            None,
            [
                [
                    "threat model",
                    f"white-box unless the attack says otherwise; {_e(c.norm)} budgets "
                    f"{_e(', '.join(eps_label(e) for e in sorted({r['eps'] for r in result.robust})))} "
                    "(pixel values in [0, 1])",
                ],
                [
                    "attacks (parameters at the largest budget)",
                    "<br>".join(f"<b>{_e(n)}</b> {_e(json.dumps(p))}" for n, p in attacks.items())
                    + (
                        "<br><i>several attacks: per-image worst case (Croce and Hein 2020)</i>"
                        if len(c.attacks) > 1
                        else ""
                    ),
                ],
                [
                    "defences",
                    _e(", ".join(c.defenses) or "none") + (" (also attacked adaptively)" if c.adaptive else ""),
                ],
                ["data", f"{_e(c.data)}" + (f", first {c.limit}" if c.limit else "")],
                [
                    "model",
                    f"{_e(v['model'])}" + (f" (sha256 {_e(v['model_sha256'][:16])}…)" if v.get("model_sha256") else ""),
                ],
                ["batch size", str(result.batch_size)],
                ["CPU threads", str(c.threads)],
                [
                    "replay",
                    "<code>inspector replay THIS_REPORT.html</code> runs it again and compares the tables "
                    "(the recipe is embedded in this file)",
                ],
            ],
            left=2,
        )
    )
    if result.sanity:
        parts.append("<h2>Sanity checks <span class='muted'>(Carlini et al. 2019, arXiv:1902.06705)</span></h2>")
        parts.append(
            _table(
                ["check", "result", "figures"],
                [
                    [
                        _e(s["check"]),
                        f'<span class="{s["status"]}">{"FLAG" if s["status"] == "flag" else _e(s["status"])}</span>',
                        _e(s["detail"]),
                    ]
                    for s in result.sanity
                ],
                left=3,
            )
        )
    parts.append("<h2>Robust accuracy</h2>")
    parts.append(
        f'<img alt="robust accuracy against eps" src="{_png(robustness_plot(result.robust, result.minimal, c.norm))}">'
    )
    for setting, clean in result.clean.items():
        parts.append(
            f"<p>Clean accuracy ({_e(SETTINGS[setting])}): <b>{_pct(clean['accuracy'])}</b> "
            f"[{_pct(clean['ci'][0])}, {_pct(clean['ci'][1])}] of {clean['n']} images</p>"
        )
    for setting in dict.fromkeys(r["setting"] for r in result.robust):
        rows = [r for r in result.robust if r["setting"] == setting]
        parts.append(f"<h3>{_e(SETTINGS[setting])}</h3>")
        parts.append(
            _table(
                [
                    "attack",
                    "eps",
                    "robust accuracy",
                    "95 % CI (Wilson)",
                    "images",
                    "attack success",
                    "median Linf",
                    "median L2",
                ],
                [
                    [
                        _e(r["attack"]),
                        eps_label(r["eps"]),
                        f"<b>{_pct(r['accuracy'])}</b>",
                        f"{_pct(r['ci'][0])} – {_pct(r['ci'][1])}",
                        str(r["n"]),
                        _pct(r["success_rate"]),
                        "-" if math.isnan(r["median_linf"]) else f"{r['median_linf'] * 255:.1f}/255",
                        "-" if math.isnan(r["median_l2"]) else f"{r['median_l2']:.2f}",
                    ]
                    for r in rows
                ],
            )
        )
    parts.append(_broken_by_table(result))
    if result.minimal:
        parts.append("<h3>Norm needed by the minimal-norm attacks</h3>")
        parts.append(
            _table(
                ["attack", "setting", "norm", "images", "not fooled", "10 %", "25 %", "median", "75 %", "90 %"],
                [
                    [_e(m["attack"]), _e(m["setting"]), m["norm"], str(m["n"]), str(m["failed"])]
                    + [f"{q:.3g}" for q in m["quantiles"].values()]
                    for m in result.minimal
                ],
                left=3,
            )
        )
    if result.certified is not None:
        parts.append("<h2>Certified accuracy <span class='muted'>(randomized smoothing, bare model)</span></h2>")
        parts.append(method_table(result.certified))
        parts.append(curve_section(result.certified))
    parts.append(mistaken_section(result, SETTINGS))
    parts.append(targets_section(result, SETTINGS))
    if result.examples:
        parts.append("<h2>Example adversarials</h2>")
        for ex in result.examples:
            figure = side_by_side(ex.x, ex.x_adv, ex.original_top, ex.adversarial_top)
            parts.append(
                f"<p><b>{_e(ex.image)}</b> (true class {_e(result.class_names[ex.label])}): {_e(ex.attack)}"
                + (f" at eps {eps_label(ex.eps)}" if ex.eps is not None else "")
                + f'</p><img class="example" alt="{_e(ex.image)}" src="{_png(figure)}">'
                + _maps(ex)
            )
    if result.errors:
        parts.append("<h2>Images that failed</h2>")
        parts.append(
            _table(
                ["image", "step", "error"],
                [[_e(e["image"]), _e(e["attack"]), _e(e["error"])] for e in result.errors[:50]],
                left=3,
            )
        )
    parts.append("<h2>Versions</h2>")
    parts.append(_table(None, [[_e(k), _e(val)] for k, val in v.items()], left=2))
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Robustness of {_e(v['model'])}</title><style>{STYLE}{MATRIX_STYLE}</style></head><body>"
        + "\n".join(parts)
        + _embedded_recipe(result)
        + "</body></html>"
    )


def _broken_by_table(result: EvaluationResult) -> str:
    """Per ensemble row (AutoAttack), how many images each member fooled, members in the ensemble's order;
    empty without an ensemble."""
    rows = [r for r in result.robust if "broken_by" in r]
    if not rows:
        return ""
    members = list(dict.fromkeys(m for r in rows for m in r["broken_by"]))
    return (
        "<h3>Which member fooled the images <span class='muted'>(each runs on the images the ones before "
        "left robust)</span></h3>"
        + _table(
            ["setting", "attack", "eps", *members],
            [
                [_e(SETTINGS[r["setting"]]), _e(r["attack"]), eps_label(r["eps"])]
                + [str(r["broken_by"].get(m, 0)) for m in members]
                for r in rows
            ],
            left=2,
        )
    )


def _maps(ex: Example) -> str:
    """Where the model looks on the example (its maps, the method and its sanity check), or why not shown."""
    if ex.maps is None:
        return ""
    if ex.maps.figure is None:
        return f'<p class="muted">No maps of where the model looks: {_e(ex.maps.note)}</p>'
    flag = ' class="flag"' if ex.maps.flagged else ""
    return (
        f'<img class="example" alt="where the model looks on {_e(ex.image)}" src="{_png(ex.maps.figure)}">'
        f'<p class="muted"><span{flag}>{_e(ex.maps.note)}</span></p>'
    )


def _embedded_recipe(result: EvaluationResult) -> str:
    """The configuration as run and the tables, as JSON for ``inspector replay REPORT.html``."""
    config = result.config.to_dict() | {"batch_size": result.batch_size}
    for name in ("out", "resume"):
        config.pop(name)
    recipe = {"config": config, "tables": {"clean": result.clean, "robust": result.robust}}
    text = json.dumps(recipe).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<script type="application/json" id="{REPORT_RECIPE_ID}">{text}</script>'


def write_report(result: EvaluationResult, path: str | os.PathLike) -> None:
    """Write :func:`render_html` to ``path`` atomically.

    Raises:
        ExportError: the file cannot be written.
    """
    data = render_html(result).encode("utf-8")
    write_atomically(path, lambda fh: fh.write(data))
