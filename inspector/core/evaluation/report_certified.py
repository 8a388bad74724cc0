"""A self-contained HTML report of a certification (``inspector certify --report``), in the
evaluation report's style: the settings, the certified-accuracy curve and its table with 95 %
intervals, and the per-image certificates."""

from __future__ import annotations

import os
from datetime import UTC, datetime

from inspector import __version__
from inspector.core.evaluation.certified import CertificationResult
from inspector.core.evaluation.certified_plot import certified_plot
from inspector.core.evaluation.html import STYLE, _e, _pct, _png, _table
from inspector.core.io.files import write_atomically
from inspector.core.util.bounds import MAX_COUNT

#: The most per-image rows the report lists.
MAX_ROWS = 200


def render_html(result: CertificationResult, class_names: tuple[str, ...]) -> str:
    """The report as one HTML document (str); ``class_names`` name the labels."""
    name = lambda label: "abstain" if label is None else class_names[label]  # noqa: E731
    parts = [
        f"<h1>Certified robustness of {_e(result.model)} on {_e(result.data)}</h1>",
        f'<p class="muted">{len(result.images)} images; written {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by '
        f"Robustness Inspector {_e(__version__)}</p>",
        "<h2>Method</h2>",
        method_table(result),
        "<h2>Certified accuracy</h2>",
        curve_section(result),
        "<h2>Per image</h2>",
        _table(
            ["image", "true class", "base classifier", "smoothed class", "p<sub>A</sub> lower", "certified radius"],
            [
                [_e(i.id), _e(name(i.label)), _e(name(i.clean)), _e(name(i.predicted))]
                + [f"{i.p_lower:.4f}", f"{i.radius:.3f}" if i.predicted is not None else "-"]
                for i in result.images[:MAX_ROWS]
            ],
        ),
    ]
    if len(result.images) > MAX_ROWS:
        parts.append(f'<p class="muted">the first {MAX_ROWS} of {len(result.images)} images</p>')
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>Certified robustness of {_e(result.model)}</title><style>{STYLE}</style></head><body>"
        + "\n".join(parts)
        + "</body></html>"
    )


def write_report(result: CertificationResult, class_names: tuple[str, ...], path: str | os.PathLike) -> None:
    """Write :func:`render_html` to ``path`` atomically.

    Raises:
        ExportError: the file cannot be written.
    """
    data = render_html(result, class_names).encode("utf-8")
    write_atomically(path, lambda fh: fh.write(data))


def method_table(result: CertificationResult) -> str:
    """The certificate's definition and settings, and the time it took (an HTML table)."""
    s = result.smoothing
    return _table(
        None,
        [
            [
                "certificate",
                "randomized smoothing, CERTIFY (Cohen, Rosenfeld and Kolter 2019, arXiv:1902.02918): "
                "the class of the smoothed classifier g(x) = argmax P(f(x + N(0, sigma<sup>2</sup> I)) = c) "
                "cannot change within the certified L2 radius sigma &Phi;<sup>-1</sup>(p<sub>A</sub> lower), "
                f"with probability at least {1 - s.alpha:g} over the noise",
            ],
            ["sigma", f"{s.sigma:g} (pixel values in [0, 1])"],
            ["samples", f"n0 = {s.n0} to choose the class, n = {s.n} to bound its probability (Clopper-Pearson)"],
            ["alpha", f"{s.alpha:g}"],
            ["seed", f"{s.seed} (image i: seed x {MAX_COUNT} + i)"],
            ["time", f"{result.seconds:.1f} s, {len(result.images) / max(result.seconds, 1e-9):.2f} images/s"],
        ],
        left=2,
    )


def curve_section(result: CertificationResult) -> str:
    """The certified-accuracy curve: its plot, the base classifier's clean accuracy and the abstentions,
    and the table of certified accuracy per radius with 95 % Wilson intervals (HTML)."""
    return "\n".join(
        [
            f'<img alt="certified accuracy against the radius" src="{_png(certified_plot({result.model: result}))}">',
            f"<p>Base classifier's accuracy on the clean images: <b>{_pct(result.clean_accuracy)}</b>; "
            f"the smoothed classifier abstained on <b>{result.abstentions}</b> of {len(result.images)} images.</p>",
            _table(
                ["L2 radius", "certified accuracy", "95 % CI (Wilson)", "images"],
                [
                    [f"{r['radius']:g}", f"<b>{_pct(r['accuracy'])}</b>", f"{_pct(r['ci'][0])} – {_pct(r['ci'][1])}"]
                    + [f"{r['certified']} of {r['n']}"]
                    for r in result.curve()
                ],
            ),
        ]
    )
