"""AutoAttack "standard" (Croce and Hein 2020, arXiv:2003.01690) and its new members APGD-T and FAB-T,
on the shipped MNIST models and real held-out digits, with small budgets of steps and queries."""

from __future__ import annotations

import json

import pytest
import torch
from test_evaluate_cli import run_cli

from inspector.core.attacks import make_attack
from inspector.core.attacks.autoattack import MEMBERS, AutoAttack
from inspector.core.attacks.fab import linf_step_to_hyperplane
from inspector.core.io.datasets.mnist import heldout_digits
from inspector.core.models.loading import load_model

#: Small budgets: a few seconds on one core.
SMALL = {"steps": 5, "targets": 2, "queries": 60, "seed": 0}


@pytest.fixture(scope="module")
def digits():
    """The first 8 held-out digits, x (8, 1, 28, 28) in [0, 1] on the 8-bit grid, y (8,)."""
    x, y = heldout_digits()
    return x[:8], y[:8]


def robust(model, x, y, result) -> torch.Tensor:
    with torch.no_grad():
        return model(result.x_adv).argmax(1) == y


def test_autoattack_is_never_weaker_than_any_of_its_members_alone(digits):
    model = load_model("mnist-pgd-at", "cpu")
    x, y = digits
    ensemble = AutoAttack(eps=0.3, **SMALL)
    together = ensemble.run(model, x, y)
    held = robust(model, x, y, together)
    alone = {label: robust(model, x, y, attack.run(model, x, y)) for label, attack in ensemble.members()}
    assert [m.label for m in MEMBERS] == list(alone) == ["apgd-ce", "apgd-t", "fab-t", "square"]
    for label, kept in alone.items():
        assert held.sum() <= kept.sum(), f"AutoAttack keeps {int(held.sum())} robust, {label} alone {int(kept.sum())}"
    # APGD-CE runs first on every correctly classified digit, as alone: whatever it fools stays fooled
    assert not (held & ~alone["apgd-ce"]).any()
    # each fooled digit names the member that fooled it, each robust one none
    assert [bool(b) for b in together.broken_by] == (~held).tolist()
    assert set(together.broken_by) <= {"", *alone}
    assert (together.x_adv - x).abs().max() <= 0.3 + 1e-6


@pytest.mark.parametrize("name", ["apgd-t", "fab-t"])
def test_apgd_t_and_fab_t_find_adversarials_on_the_standard_model(digits, name):
    model = load_model("mnist-standard", "cpu")
    x, y = digits
    eps = 0.15
    attack = make_attack(name, {"eps": eps, "steps": 10, "targets": 2})
    result = attack.run(model, x, y)
    assert result.success.float().mean() >= 0.5, f"{name} fooled {int(result.success.sum())} of {len(y)} at eps {eps}"
    assert (result.x_adv - x).abs().max() <= eps + 1e-6
    # at a budget below one grey level nothing is found
    assert not make_attack(name, {"eps": 0.001, "steps": 5, "targets": 2}).run(model, x, y).success.any()


def test_fab_projection_reaches_the_hyperplane_with_the_smallest_linf():
    gen = torch.Generator().manual_seed(0)
    w = torch.randn(6, 50, generator=gen)
    x = torch.rand(6, 50, generator=gen)
    c = torch.randn(6, generator=gen)
    d = linf_step_to_hyperplane(w, c, -x, 1 - x)
    assert torch.allclose((w * d).sum(1), c, atol=1e-5)
    assert (x + d >= -1e-6).all() and (x + d <= 1 + 1e-6).all()
    # a step with every coordinate a little smaller cannot reach the hyperplane inside the box
    t = d.abs().amax(1, keepdim=True)
    room = torch.where((w * c[:, None]) > 0, 1 - x, x)
    best_below = (w.abs() * torch.minimum(room, 0.99 * t)).sum(1)
    assert (best_below < c.abs()).all()


def test_evaluate_runs_autoattack_and_records_which_member_fooled_each_digit(capsys, tmp_path):
    args = ["evaluate", "mnist-heldout", "--model", "mnist-standard", "--attack", "autoattack", "--eps", "0.1"]
    args += ["--limit", "4", "--device", "cpu", "--out", str(tmp_path / "run"), "--sanity-images", "1"]
    args += ["--steps", "3", "--param", "targets=2", "--param", "queries=20"]
    code, out, _ = run_cli(capsys, *args, "--json")
    assert code == 0
    result = json.loads(out)
    row = next(r for r in result["robust"] if r["attack"] == "autoattack" and r["eps"] == 0.1)
    records = [json.loads(line) for line in (tmp_path / "run" / "results.jsonl").read_text().splitlines()]
    main = [r for r in records if r["attack"] == "autoattack" and r["variant"] == "main"]
    fooled = [r for r in main if r["correct"] and r["pred"] != r["label"]]
    assert len(main) == 4 and all(r.get("member") in {m.label for m in MEMBERS} for r in fooled)
    assert len(fooled) >= 1 and sum(row["broken_by"].values()) == len(fooled)
    assert {s["check"] for s in result["sanity"]}  # the sanity checks still run
    assert any(r["variant"] == "steps x2" for r in records)


@pytest.mark.parametrize(
    "args",
    [
        ["--attack", "autoattack", "--norm", "l2"],
        ["--attack", "fab-t", "--param", "targets=10"],
        ["--attack", "apgd-t", "--param", "targets=0"],
        ["--attack", "autoattack", "--param", "queries=0"],
    ],
)
def test_bad_inputs_are_one_line_and_exit_2(capsys, args):
    code, _, err = run_cli(capsys, "evaluate", "mnist-heldout", "--model", "mnist-standard", "--limit", "2", *args)
    assert code == 2 and err.startswith("inspector: error: ") and err.count("\n") == 1, (args, err)


def test_a_watched_run_reports_every_iteration_and_ends_as_an_unwatched_one(digits):
    model = load_model("mnist-pgd-at", "cpu")
    x, y = digits
    steps = []
    watched = AutoAttack(eps=0.3, **SMALL).run(model, x, y, on_step=steps.append)
    unwatched = AutoAttack(eps=0.3, **SMALL).run(model, x, y)
    assert [s.iteration for s in steps] == list(range(1, watched.iterations + 1))
    assert unwatched.iterations == watched.iterations and torch.equal(unwatched.x_adv, watched.x_adv)
    assert unwatched.broken_by == watched.broken_by


def test_square_moves_one_window_of_each_image_to_x_plus_or_minus_eps_per_query(digits):
    model = load_model("mnist-pgd-at", "cpu")
    x, y = digits
    eps, side = 0.3, 6  # p 0.05 of a 28 x 28 digit: a 6 x 6 window
    steps = []
    make_attack("square", {"eps": eps, "max_queries": 40, "p_init": 0.05}).run(model, x, y, on_step=steps.append)
    moved = 0
    for before, after in zip(steps, steps[1:], strict=False):
        changed = after.x_adv != before.x_adv
        for j in changed.flatten(1).any(1).nonzero().flatten().tolist():
            rows, cols = changed[j].any(0).nonzero(as_tuple=True)
            assert rows.max() - rows.min() < side and cols.max() - cols.min() < side
            new = after.x_adv[j][changed[j]]
            ends = ((x[j] + eps).clamp(0, 1)[changed[j]], (x[j] - eps).clamp(0, 1)[changed[j]])
            assert torch.all((new - ends[0]).abs() < 1e-6) or torch.all((new - ends[1]).abs() < 1e-6)
            moved += 1
    assert moved >= 5  # some proposals were accepted
