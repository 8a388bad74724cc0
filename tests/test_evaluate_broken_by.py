"""Which AutoAttack member fooled each image (Croce and Hein 2020, arXiv:2003.01690): the per-member
counts of an evaluation on real held-out digits (mnist-standard, a few steps and queries), as the
records give them, in the HTML report and in the Evaluate workspace's results table."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from inspector.core.attacks.autoattack import MEMBERS
from inspector.core.evaluation import EvaluationConfig, evaluate
from inspector.core.evaluation.records import RESULTS
from inspector.core.evaluation.report import render_html
from inspector.core.evaluation.result import broken_by_text
from inspector.gui.workspaces.evaluate.results_table import FOOLED_BY, ResultsTable

LABELS = [m.label for m in MEMBERS]


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory):
    out = tmp_path_factory.mktemp("autoattack") / "run"
    config = EvaluationConfig(
        data="mnist-heldout",
        model="mnist-standard",
        attacks=["autoattack"],
        eps=["0", "0.05", "0.1"],
        params={"steps": 3, "targets": 2, "queries": 20},
        limit=12,
        sanity=False,
        device="cpu",
        out=str(out),
    )
    result = evaluate(config)
    records = [json.loads(line) for line in (out / RESULTS).read_text().splitlines()]
    return result, records


def test_each_row_counts_every_member_in_order_as_the_records_say(evaluated):
    result, records = evaluated
    for row in result.robust:
        if row["eps"] == 0:
            assert "broken_by" not in row  # no attack runs at 0
            continue
        fooled = [
            r
            for r in records
            if (r["attack"], r["eps"], r["variant"]) == ("autoattack", row["eps"], "main")
            and r["correct"]
            and r["pred"] != r["label"]
        ]
        assert list(row["broken_by"]) == LABELS
        assert row["broken_by"] == {m: Counter(r["member"] for r in fooled)[m] for m in LABELS}
        assert sum(row["broken_by"].values()) == len(fooled) == result.clean["none"]["correct"] - row["robust"]
    assert result.robust[-1]["broken_by"]["apgd-ce"] >= 1  # at 0.1 APGD-CE fools some standard-trained digits


def test_the_report_has_the_member_table(evaluated):
    result, _ = evaluated
    html = render_html(result)
    section = html[html.index("Which member fooled the images") :]
    header = re.search(r"<tr>(.*?)</tr>", section).group(1)
    assert [re.sub("<.*?>", "", cell) for cell in re.findall(r"<th[^>]*>.*?</th>", header)][3:] == LABELS
    for row in result.robust[1:]:
        cells = "".join(f'<td class="">{row["broken_by"][m]}</td>' for m in LABELS)
        assert cells + "</tr>" in section


def test_the_results_table_shows_the_counts_only_for_an_ensemble(qtbot, evaluated):
    result, _ = evaluated
    table = ResultsTable()
    qtbot.addWidget(table)
    assert table.table.isColumnHidden(FOOLED_BY)
    table.set_result(result)
    assert not table.table.isColumnHidden(FOOLED_BY)
    texts = [table.table.item(i, FOOLED_BY).text() for i in range(len(result.robust))]
    assert texts[0] == "" and texts[-1] == broken_by_text(result.robust[-1])
    assert texts[-1].startswith("apgd-ce ") and ", square " in texts[-1]
    table.set_result(None)
    assert table.table.isColumnHidden(FOOLED_BY)
