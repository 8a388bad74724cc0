"""What the Evasion view says about a run, from a real one on the digit model: the verdict line,
the before-and-after-defences rows and the adversarial's chart, which keeps the true class."""

from __future__ import annotations

import torch

from inspector.core.evasion.classify import classification
from inspector.core.evasion.inspect import inspect
from inspector.core.evasion.recipe import Recipe
from inspector.core.io.resources import resource_path
from inspector.gui.workspaces.evasion.defence_rows import WAITING, defence_rows
from inspector.gui.workspaces.evasion.probability_entries import attack_entries, with_true
from inspector.gui.workspaces.evasion.verdict import verdict_line, visibility

DEFENCES = ["jpeg:quality=75", "median:size=3"]


def digit_run(mnist_model, **fields):
    recipe = Recipe(image=str(resource_path("images", "mnist-7.png")), model="mnist-standard", device="cpu", **fields)
    return inspect(recipe, model=mnist_model)


def test_the_verdict_line_is_built_from_the_runs_values(mnist_model):
    run = digit_run(
        mnist_model, attack="pgd", params={"eps": "0.3", "step_size": "0.05", "steps": 20}, defenses=DEFENCES
    )
    top = run.adversarial.top_k[0]
    linf = run.norms()["linf_grey"]
    assert run.success and 16 < linf <= 0.3 * 255  # within the budget, and visible
    held = sum(not row.success for row in run.defended[1:3])
    assert verdict_line(run) == (
        f"7 \u2192 {top['name']}, {100 * top['probability']:.0f} %, perturbation {linf:.0f}/255: visible"
        f" \u00b7 {held} of 2 defences held"
    )
    weak = digit_run(mnist_model, attack="fgsm", params={"eps": "1/255"})
    assert not weak.success and verdict_line(weak).startswith("7 holds (7 ")
    assert verdict_line(weak).endswith(", perturbation 1/255: invisible")
    assert [visibility(v) for v in (8, 9, 16, 17)] == ["invisible", "hard to see", "hard to see", "visible"]


def test_defence_rows_before_and_after_a_run(mnist_model):
    run = digit_run(
        mnist_model, attack="pgd", params={"eps": "0.3", "step_size": "0.05", "steps": 20}, defenses=DEFENCES
    )
    before = defence_rows(run.original, DEFENCES, None)
    assert [row.name for row in before] == ["no defence", *DEFENCES, "pipeline (all 2)"]
    assert before[0].texts()[1] == f"7 {100 * run.original.top_k[0]['probability']:.0f} %"
    assert all(row.texts()[2:] == [WAITING, WAITING] for row in before)
    after = defence_rows(run.original, DEFENCES, run)
    assert [row.name for row in after] == [row.name for row in before]
    for row, defended in zip(after, run.defended, strict=True):
        assert (row.original, row.original_p) == (
            defended.original.top_k[0]["name"],
            defended.original.top_k[0]["probability"],
        )
        assert row.adversarial == defended.adversarial.top_k[0]["name"]
        assert row.verdict() == ("fooled" if defended.success else "holds")
    bare = defence_rows(run.original, [], digit_run(mnist_model, attack="fgsm", params={"eps": "1/255"}))
    assert [row.texts()[0::3] for row in bare] == [["no defence", "holds"]]


def test_the_adversarial_chart_keeps_the_true_class(mnist_model):
    run = digit_run(mnist_model, attack="pgd", params={"eps": "0.3", "step_size": "0.05", "steps": 20})
    true = run.original.top_k[0]
    logits = torch.zeros(1, 10)
    logits[0, :5] = torch.arange(5, 0, -1).float() + 10  # classes 0..4 on top, 7 far below
    far = classification(mnist_model, logits, 5, "a made-up prediction")
    rows = with_true(far, true)
    assert [row["index"] for row in rows] == [0, 1, 2, 3, 4, 7] and rows[-1]["name"] == "7"
    assert rows[-1]["probability"] == float(far.probabilities[7])
    assert with_true(run.original, true) == run.original.top_k  # already there: unchanged
    _original, adversarial = attack_entries(run.original, run)
    assert true["index"] in [row["index"] for row in adversarial.top_k]
    assert adversarial.highlight[true["index"]] == "true"


def test_a_defence_that_misreads_the_clean_image_is_not_credited():
    from inspector.core.models.loading import load_model

    model = load_model("gtsrb-standard", "cpu")
    recipe = Recipe(
        image=str(resource_path("images", "road-signs", "stop.png")),
        model="gtsrb-standard",
        device="cpu",
        attack="fgsm",
        params={"eps": "1/255"},
        target="speed limit 120",  # targeted: a defence that misreads the sign elsewhere is not "fooled"
        defenses=["blur:sigma=1", "jpeg:quality=75"],
    )
    run = inspect(recipe, model=model)
    blur, jpeg = defence_rows(run.original, recipe.defenses, run)[1:3]
    assert blur.original != "stop" and jpeg.original == "stop"  # the blur alone already misreads the sign
    assert not run.defended[1].success  # the target was not reached: without the check it would count as held
    assert (blur.verdict(), blur.fooled) == ("misreads the original", True)
    assert jpeg.verdict() == ("fooled" if run.defended[2].success else "holds")
    held = int(not run.defended[2].success)
    assert verdict_line(run).endswith(f" \u00b7 {held} of 2 defences held (1 misread the original)")


def test_an_ensemble_has_a_row_per_member_before_and_after_a_run(mnist_model):
    members = ["mnist-standard", "mnist-pgd-at"]
    params = {"eps": "0.3", "step_size": "0.05", "steps": 10}
    run = digit_run(mnist_model, attack="pgd", params=params, ensemble=members[1:], adaptive=True)
    names = [*(f"member {m}" for m in members), "ensemble (mean of 2)"]
    before = defence_rows(run.original, [], None, members, "mean")
    assert [row.name for row in before] == names and before[0].original == "7"
    after = defence_rows(run.original, [], run)
    assert [row.name for row in after] == names
    assert after[-1].fooled == run.success  # the adaptive attack is judged on the ensemble
    assert [row.fooled for row in after] == [d.success for d in run.defended]
