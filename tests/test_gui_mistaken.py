"""The Evaluate workspace's "who is mistaken for whom" view, offscreen, on a real evaluation of held-out digits."""

from __future__ import annotations

import pytest

from inspector.core.evaluation import EvaluationConfig, evaluate
from inspector.core.evaluation.mistaken import phrase
from inspector.core.evaluation.result import WORST_CASE
from inspector.gui.workspaces.evaluate.mistaken_view import MistakenView


def result_of(**changes):
    config = EvaluationConfig(
        data="mnist-heldout",
        model="mnist-standard",
        attacks=["fgsm", "pgd"],
        eps=["0", "0.1", "0.25"],
        params={"steps": 3},
        limit=40,
        sanity=False,
        device="cpu",
    )
    for name, value in changes.items():
        setattr(config, name, value)
    return evaluate(config)


@pytest.fixture(scope="module")
def untargeted():
    return result_of()


def test_the_heatmap_names_the_classes_and_holds_the_matrix(qtbot, untargeted):
    view = MistakenView()
    qtbot.addWidget(view)
    view.set_result(untargeted)
    assert view.combo.currentText() == f"no defence: {WORST_CASE} at linf 0.25"  # the report's first
    assert view.combo.count() == len(untargeted.mistaken) == 6
    m = view.choices[view.combo.currentIndex()]
    matrix, names = m.matrix(10), untargeted.class_names
    rows = [view.heatmap.verticalHeaderItem(i).text() for i in range(view.heatmap.rowCount())]
    columns = [view.heatmap.horizontalHeaderItem(j).text() for j in range(view.heatmap.columnCount())]
    assert rows == [names[c] for c in range(10) if matrix[c].any()]
    assert columns == [names[c] for c in range(10) if matrix[:, c].any()]
    for i, source in enumerate(rows):
        for j, read_as in enumerate(columns):
            k = matrix[names.index(source), names.index(read_as)]
            assert view.heatmap.item(i, j).text() == (str(k) if k else "")
    assert [view.phrases.item(i).text() for i in range(view.phrases.count())] == [
        phrase(m, c, names) for c in sorted(m.attacked)
    ]
    view.heatmap.setCurrentCell(1, 0)  # a row's phrase is selected with it
    assert view.phrases.currentItem().text().startswith(f"{rows[1]} (")
    assert view.targets.isHidden()  # untargeted
    view.combo.setCurrentIndex(0)
    assert view.choices[0].attack == "fgsm" and view.heatmap.rowCount() == int(
        (view.choices[0].matrix(10).sum(1) > 0).sum()
    )
    view.set_result(None)
    assert view.heatmap.rowCount() == 0 and not view.combo.isEnabled()


def test_a_targeted_result_shows_the_success_per_target_class(qtbot):
    result = result_of(attacks=["pgd"], target="random")
    view = MistakenView()
    qtbot.addWidget(view)
    view.set_result(result)
    assert not view.targets.isHidden()
    rows = [r for r in result.targets if r["eps"] == 0.25]
    assert view.targets.rowCount() == len(rows) > 0
    assert [view.targets.item(i, 0).text() for i in range(len(rows))] == [result.class_names[r["target"]] for r in rows]
    assert [view.targets.item(i, 2).text() for i in range(len(rows))] == [str(r["reached"]) for r in rows]
