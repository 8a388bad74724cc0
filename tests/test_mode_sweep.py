"""One black-box attack under every output mode, on real held-out MNIST digits (mnist-standard)."""

import math

import pytest
import torch
from conftest import DATA

from inspector.core.attacks import make_attack
from inspector.core.evasion.mode_sweep import MODES, held_out_digits, sweep_modes
from inspector.core.io.datasets.mnist import mnist_split

BUDGET = 150


@pytest.fixture(scope="module")
def digits(mnist_model):
    """Five held-out digits (indices 1,000 on, never trained on) mnist-standard classifies correctly."""
    x, y = mnist_split(DATA / "mnist")["held_out"]
    x, y = x[1000:1020], y[1000:1020]
    with torch.no_grad():
        ok = (mnist_model(x).argmax(1) == y).nonzero().flatten()[:5]
    return x[ok], y[ok]


def check_counts(row, budget):
    assert 0 <= row.success <= row.n and row.low <= row.success / row.n <= row.high
    if row.success:
        assert 1 <= row.queries <= budget and row.l2 > 0 and row.linf > 0
    else:
        assert math.isnan(row.queries) and math.isnan(row.l2)


def test_square_runs_on_scores_and_says_it_cannot_run_label_only(mnist_model, digits):
    x, y = digits
    rows = sweep_modes(make_attack("square", {"eps": 0.3, "p_init": 0.8, "max_queries": BUDGET}), mnist_model, x, y)
    assert [r.mode for r in rows] == list(MODES)
    label = rows[-1]
    assert not label.ran and "cannot run against a label-only oracle" in label.cannot_run and label.success == 0
    for row in rows[:-1]:
        assert row.ran and row.n == len(x)
        check_counts(row, BUDGET)
        if row.success:
            assert row.linf <= 0.3 + 1 / 255
    assert rows[0].success > 0  # full probabilities: Square fools some of them


def test_hopskipjump_runs_in_every_mode_and_reads_only_the_top_1(mnist_model, digits):
    x, y = digits
    rows = sweep_modes(make_attack("hopskipjump", {"max_queries": BUDGET}), mnist_model, x, y)
    assert all(r.ran for r in rows) and [r.mode for r in rows] == list(MODES)
    for row in rows:
        check_counts(row, BUDGET)
    full, top1, label = (next(r for r in rows if r.mode == m) for m in ("probabilities", "topk:k=1", "label"))
    assert full.success == len(x)
    # the top-1 of the probabilities, of the top-1 score and of the label is the same answer
    for row in (top1, label):
        assert (row.success, row.queries, row.l2) == (full.success, full.queries, full.l2)


def test_a_cancelled_sweep_keeps_the_modes_it_finished(mnist_model, digits):
    x, y = digits
    seen = []
    rows = sweep_modes(
        make_attack("hopskipjump", {"max_queries": BUDGET}),
        mnist_model,
        x[:2],
        y[:2],
        on_mode=lambda i, spec: seen.append(spec),
        should_stop=lambda: len(seen) > 1,
    )
    assert seen == list(MODES[:2]) and len(rows) == 2 and not rows[0].cancelled and rows[1].cancelled


def test_the_shipped_held_out_digits_are_the_test_set_s_last_2000(mnist_model):
    x, y = held_out_digits(mnist_model, 6)
    real_x, real_y = mnist_split(DATA / "mnist")["held_out"]
    with torch.no_grad():
        right = (mnist_model(real_x[:20]).argmax(1) == real_y[:20]).nonzero().flatten()[:6]
    assert torch.equal(y, real_y[right]) and torch.allclose(x, real_x[right])
