"""Numbers in a stakeholder's words: budgets in /255, norms with their units, plurals, and the time
left of a run counted down from the estimate shown before Run."""

from __future__ import annotations

import pytest

from inspector.core.evasion.cost import time_left
from inspector.core.util.units import budget_text, grey_levels, l0_text, l2_text, linf_text, plural


def test_budgets_and_norms_read_in_grey_levels_and_with_their_units():
    assert [grey_levels(v) for v in (4 / 255, 0.01568627450980392, 0.3, 0.5 / 255, 0.0)] == [
        "4/255",
        "4/255",
        "76.5/255",
        "0.5/255",
        "0/255",
    ]
    assert linf_text(16 / 255) == "Linf 16/255"
    assert budget_text(8 / 255, "linf") == "8/255" and budget_text(0.5, "l2") == "0.5"
    assert l2_text(4.0512) == "L2 4.05 in [0, 1] pixel units"
    assert l0_text(134934, 150528) == "134,934 of 150,528 values changed"


def test_counts_take_the_singular_for_one_only():
    assert plural(1, "gradient") == "1 gradient"
    assert plural(0, "gradient") == "0 gradients"
    assert plural(1200, "query", "queries") == "1,200 queries"
    assert plural(1, "sanity check") == "1 sanity check"


def test_the_time_left_counts_down_the_bound_then_follows_the_pace():
    # HopSkipJump: 23 s estimated; its first of 40 iterations took 8 s (the initial search)
    assert time_left(23.0, 8.0, 1, 40) == (pytest.approx(15.0), True)  # not 8 s x 39 = 5 min 12 s
    assert time_left(23.0, 25.0, 30, 40) == (pytest.approx(25 / 30 * 10), False)  # slower than measured
    assert time_left(None, 10.0, 5, 10) == (pytest.approx(10.0), False)
    assert time_left(None, 10.0, 10, 10) == (0.0, False)


def test_a_photo_fed_to_a_digit_model_says_how_it_was_converted():
    from inspector.core.io.conversion import conversion_note

    assert (
        conversion_note("RGB", (640, 480), 1, (28, 28), "shorter-side-crop")
        == "converted: colour 640x480 \u2192 grey 28x28 (shorter side resized, centre cropped)"
    )
    assert conversion_note("L", (28, 28), 3, (28, 28), "stretch") == "converted: grey 28x28 \u2192 colour 28x28"
    assert conversion_note("RGB", (640, 480), 3, (224, 224), "shorter-side-crop") is None  # the ordinary resize
    assert conversion_note("L", (28, 28), 1, (28, 28), "stretch") is None
