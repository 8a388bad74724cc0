"""Who is mistaken for whom, and targeted evaluations, on the shipped held-out digits with mnist-standard."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import torch

from inspector.cli import main as cli
from inspector.core.evaluation import EvaluationConfig, evaluate
from inspector.core.evaluation.mistaken import Mistaken, phrase
from inspector.core.evaluation.records import RESULTS
from inspector.core.evaluation.report import render_html
from inspector.core.evaluation.result import WORST_CASE
from inspector.core.io.datasets.mnist import mnist_split
from inspector.core.util.errors import ParameterError

ROAD = ("speed limit 80", "yield", "priority road", "stop", "no entry", "keep right")


def config(**changes) -> EvaluationConfig:
    base = {
        "data": "mnist-heldout",
        "model": "mnist-standard",
        "attacks": ["fgsm", "pgd"],
        "eps": ["0", "0.15", "0.3"],
        "params": {"steps": 5},
        "limit": 60,
        "sanity": False,
        "device": "cpu",
    }
    return EvaluationConfig(**(base | changes))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """An untargeted evaluation of FGSM and PGD, with its records on disk."""
    from inspector.core.models.loading import load_model

    model = load_model("mnist-standard", "cpu")
    out = tmp_path_factory.mktemp("mistaken") / "run"
    result = evaluate(config(out=str(out)), model=model)
    records = [json.loads(line) for line in (out / RESULTS).read_text().splitlines()]
    return model, result, records, out


def fooled_per_class(records, attacks, eps) -> Counter:
    """True class -> images classified correctly that one of ``attacks`` at ``eps`` misclassifies."""
    fooled = {
        r["image"]: r["label"]
        for r in records
        if r["attack"] in attacks and r["eps"] == eps and r["setting"] == "none" and r["correct"]
        if r["pred"] != r["label"]
    }
    return Counter(fooled.values())


def test_matrix_rows_sum_to_the_fooled_images_of_each_class_and_the_diagonal_is_empty(run):
    _, result, records, _ = run
    assert {(m.attack, m.eps) for m in result.mistaken} == {
        (a, e) for a in ("fgsm", "pgd", WORST_CASE) for e in (0.15, 0.3)
    }
    correct = Counter(r["label"] for r in records if r["attack"] == "clean" and r["correct"])
    for m in result.mistaken:
        matrix = m.matrix(10)
        assert not matrix.diagonal().any()
        attacks = ("fgsm", "pgd") if m.attack == WORST_CASE else (m.attack,)
        fooled = fooled_per_class(records, attacks, m.eps)
        assert {c: int(n) for c, n in enumerate(matrix.sum(1)) if n} == dict(fooled)
        assert m.attacked == dict(correct)
        row = next(r for r in result.robust if (r["attack"], r["eps"]) == (m.attack, m.eps))
        assert matrix.sum() == sum(correct.values()) - row["robust"]  # the robust accuracy's complement
    worst = next(m for m in result.mistaken if (m.attack, m.eps) == (WORST_CASE, 0.3))
    assert worst.matrix(10).sum() > 0


def test_the_phrase_names_the_top_classes_in_order(run):
    _, result, _, _ = run
    m = next(m for m in result.mistaken if (m.attack, m.eps) == ("fgsm", 0.15))
    source = max(m.attacked, key=lambda c: (len(m.read_as(c)), -c))
    row = m.matrix(10)[source]
    order = sorted((a for a in range(10) if row[a]), key=lambda a: (-row[a], a))
    assert len(order) >= 2
    text = phrase(m, source, result.class_names, top=2)
    n = m.attacked[source]
    shown = ", ".join(f"{result.class_names[a]} ({100 * row[a] / n:.1f} %)" for a in order[:2])
    assert text.startswith(f"{result.class_names[source]} ({n} attacked): read as {shown}")
    rest = order[2:]
    assert (f"and {len(rest)} other class" in text) == bool(rest)
    # with the road-sign names: most first, ties by class index, the rest summed, the share held
    counts = {(3, 0): 4, (3, 1): 2, (3, 2): 1, (3, 4): 1, (3, 5): 2}
    signs = Mistaken("none", "pgd", 8 / 255, {3: 12}, counts)
    assert phrase(signs, 3, ROAD) == (
        "stop (12 attacked): read as speed limit 80 (33.3 %), yield (16.7 %), keep right (16.7 %) "
        "and 2 other classes (16.7 %); 16.7 % held"
    )
    assert phrase(Mistaken("none", "pgd", 0.1, {3: 5}, {}), 3, ROAD) == "stop (5 attacked): never fooled"


def test_the_report_shows_the_matrix_and_each_class_in_words(run):
    _, result, _, _ = run
    page = render_html(result)
    assert "Who is mistaken for whom" in page and 'class="matrix"' in page
    worst = next(m for m in result.mistaken if (m.attack, m.eps) == (WORST_CASE, 0.3))
    for c in worst.attacked:
        assert f"<li>{phrase(worst, c, result.class_names)}</li>" in page
    assert "Success per target class" not in page  # untargeted


def test_records_of_an_older_folder_without_targets_load_and_give_the_same_matrix(run, tmp_path):
    model, result, _, out = run
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["config"]["target"]  # written before targeted evaluations existed
    old = tmp_path / "old"
    old.mkdir()
    (old / "manifest.json").write_text(json.dumps(manifest))
    lines = (out / RESULTS).read_text()
    assert '"target"' not in lines
    (old / RESULTS).write_text(lines)
    resumed = evaluate(config(out=str(old), resume=True), model=model)
    assert [m.to_dict() for m in resumed.mistaken] == [m.to_dict() for m in result.mistaken]
    assert (old / RESULTS).read_text() == lines  # nothing was left to run


@pytest.mark.parametrize(
    ("field", "value"), [("pred", 10), ("label", -1), ("target", 10**9), ("pred", 2**70), ("target", "3")]
)
def test_a_hostile_records_file_with_a_class_out_of_range_is_refused_in_one_line(run, tmp_path, field, value):
    model, _, _, out = run
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "manifest.json").write_text((out / "manifest.json").read_text())
    lines = (out / RESULTS).read_text().splitlines()
    record = json.loads(lines[7])
    record[field] = value
    lines[7] = json.dumps(record)
    (bad / RESULTS).write_text("\n".join(lines) + "\n")
    with pytest.raises(ParameterError) as caught:
        evaluate(config(out=str(bad), resume=True), model=model)
    message = str(caught.value)
    assert "\n" not in message and "line 8" in message and repr(field) in message
    assert (bad / RESULTS).read_text().splitlines()[7] == lines[7]  # refused before any work


def test_the_command_refuses_a_hostile_class_in_one_line_and_exit_2(run, tmp_path, capsys):
    _, _, _, out = run
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "manifest.json").write_text((out / "manifest.json").read_text())
    lines = (out / RESULTS).read_text().splitlines()
    lines[-1] = lines[-1].replace('"pred": ', '"pred": 4000')  # 4000 followed by the digit: out of range
    (bad / RESULTS).write_text("\n".join(lines) + "\n")
    argv = ["evaluate", "mnist-heldout", "--model", "mnist-standard", "--attack", "fgsm,pgd", "--eps", "0,0.15,0.3"]
    argv += ["--steps", "5", "--limit", "60", "--no-sanity", "--device", "cpu", "--out", str(bad), "--resume"]
    assert cli(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"line {len(lines)}" in err and "'pred' 4000" in err


def test_a_targeted_evaluation_records_each_target_and_the_success_per_target_class(run, capsys):
    model, _, _, _ = run
    targeted = {"attacks": ["pgd"], "eps": ["0.3"], "limit": 40, "target": "random"}
    first = evaluate(config(**targeted), model=model)
    again = evaluate(config(**targeted, batch_size=7), model=model)
    aimed_at = [{r["target"]: r["n"] for r in run.targets} for run in (first, again)]
    assert aimed_at[0] == aimed_at[1]  # each image's target follows from the image alone, not its batch
    rows = first.targets
    assert len({r["target"] for r in rows}) >= 5 and all(r["n"] for r in rows)
    correct = first.clean["none"]["correct"]
    assert sum(r["n"] for r in rows) == correct
    robust = first.robust[-1]
    assert sum(r["reached"] for r in rows) <= correct - robust["robust"]  # reaching a target fools the model
    assert sum(r["reached"] for r in rows) > 0
    page = render_html(first)
    assert "Success per target class" in page and "targets: random" in page
    # least-likely: the class the model finds least likely on the clean digit, the true one excepted
    x, y = mnist_split()["held_out"]
    with torch.no_grad():
        logits = model(x[:60])
    expected = logits.scatter(1, y[:60, None], float("inf")).argmin(1)
    least = evaluate(config(attacks=["fgsm"], eps=["0.3"], params={}, target="least-likely"), model=model)
    aimed = Counter(int(t) for t, ok in zip(expected, logits.argmax(1) == y[:60], strict=True) if ok)
    assert {r["target"]: r["n"] for r in least.targets} == dict(aimed)


def test_a_bad_target_or_an_attack_that_cannot_aim_is_refused_before_work(capsys):
    with pytest.raises(ParameterError, match="--target must be one of random, least-likely"):
        evaluate(config(target="everything"))
    with pytest.raises(ParameterError, match="hopskipjump cannot run targeted"):
        evaluate(config(attacks=["hopskipjump"], target="random"))
    assert cli(["evaluate", "mnist-heldout", "--model", "mnist-standard", "--target", "all"]) == 2
    assert "invalid choice: 'all'" in capsys.readouterr().err
