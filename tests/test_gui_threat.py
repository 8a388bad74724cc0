"""The Evasion workspace's Threat model panel, offscreen, on a shipped digit and the MNIST models."""

from __future__ import annotations

import pytest

from inspector.core.evasion.mode_sweep import MODES
from inspector.core.io.resources import resource_path
from inspector.core.models.loading import builtin_models
from inspector.gui.main_window import MainWindow
from inspector.gui.session import Session
from inspector.gui.settings import Settings
from inspector.gui.workspaces.evasion.state import EvasionState

WAIT_MS = 120_000


@pytest.fixture
def window(qtbot, tmp_path):
    state = EvasionState(image=str(resource_path("images", "mnist-7.png")))
    win = MainWindow(
        Session(model="mnist-standard", device="cpu"), Settings(tmp_path / "settings.json"), states={"evasion": state}
    )
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.workspaces["evasion"].preview_ready, timeout=WAIT_MS):
        win.show()
    yield win.workspaces["evasion"]
    win.close()


def choose(panel, threat: str) -> None:
    panel.threat_combo.setCurrentIndex(panel.threat_combo.findData(threat))


def run(qtbot, win):
    with qtbot.waitSignal(win.attack_finished, timeout=WAIT_MS) as blocker:
        win.run_attack()
    return blocker.args[0]


def test_label_only_switches_to_hopskipjump_and_reports_time_and_detection(qtbot, window):
    panel = window.threat_panel
    choose(panel, "label-only")
    assert window.state.attack == "hopskipjump"
    assert window.attack_panel.attack_combo.currentData() == "hopskipjump"
    assert not panel.top_k.isVisibleTo(panel) and panel.detector_combo.isVisibleTo(panel)
    panel.throttle_box.setChecked(True)
    panel.detector_combo.setCurrentIndex(panel.detector_combo.findData("blacklight"))
    window.attack_panel.form.editors["max_queries"].setValue(200)
    recipe = window.state.recipe("mnist-standard", "cpu")
    assert (recipe.output_mode, recipe.throttle, recipe.stateful_detector) == ("label", "1/s", "blacklight")
    inspection = run(qtbot, window)
    oracle = inspection.threat_model()["oracle"]
    assert oracle["output"] == "label" and oracle["attacker_time_s"][0] == inspection.attack.queries - 1
    text = panel.result.text()
    assert "queries (top-1 label only)" in text and "at 1 query per second" in text and "caught at query" in text
    assert "computed on mnist-standard" in text
    assert window.attack_panel.progress.text().startswith("done: ")  # the time left went with the run
    with qtbot.waitSignal(window.preview_ready, timeout=WAIT_MS):
        window.shell.session.model = "mnist-pgd-at"  # another model: the last run's lines go
    assert panel.result.text() == "no attack run yet" and window.attack_panel.progress.text() == "no attack run yet"


def test_top_k_and_scores_pick_square_and_transfer_picks_a_surrogate(qtbot, window):
    panel = window.threat_panel
    choose(panel, "top-k")
    assert window.state.attack == "square" and panel.top_k.isVisibleTo(panel)
    panel.top_k.setValue(3)
    assert window.state.recipe("mnist-standard", "cpu").output_mode == "topk:k=3"
    choose(panel, "transfer")
    assert window.state.attack == "dimifgsm" and panel.surrogate_combo.isVisibleTo(panel)
    task = builtin_models()["mnist-standard"].task
    digit_models = [name for name, info in builtin_models().items() if info.task == task]
    assert [panel.surrogate_combo.itemData(i) for i in range(panel.surrogate_combo.count())] == [
        name for name in digit_models if name != "mnist-standard"
    ]  # every other digit model, in order
    assert panel.surrogate_combo.itemData(1) == "mnist-distilled"
    panel.surrogate_combo.setCurrentIndex(1)
    recipe = window.state.recipe("mnist-standard", "cpu")
    assert recipe.surrogates == ["mnist-distilled"] and recipe.throttle is None
    window.attack_panel.form.editors["steps"].setValue(3)
    inspection = run(qtbot, window)
    assert inspection.threat_model()["computed_on"] == "mnist-distilled"
    assert "computed on mnist-distilled" in panel.result.text() and "no query to the target" in panel.result.text()
    choose(panel, "white-box")
    assert window.state.attack == "dimifgsm" and window.state.threat_fields() == {}  # a gradient attack fits


@pytest.mark.parametrize(
    "flags, threat, fields",
    [
        (
            [
                "--attack",
                "hopskipjump",
                "--output-mode",
                "label",
                "--throttle",
                "1/s",
                "--stateful-detector",
                "blacklight",
            ],
            "label-only",
            {"output_mode": "label", "throttle": "1/s", "stateful_detector": "blacklight"},
        ),
        (
            ["--attack", "square", "--output-mode", "topk:k=3"],
            "top-k",
            {"output_mode": "topk:k=3", "throttle": None, "stateful_detector": None},
        ),
        (["--attack", "mifgsm", "--surrogate", "mnist-distilled"], "transfer", {"surrogates": ["mnist-distilled"]}),
        (["--attack", "pgd"], "white-box", {}),
    ],
)
def test_the_gui_flags_set_the_threat_model(flags, threat, fields):
    from inspector.cli import build_parser
    from inspector.gui.launch import state_from_args

    args = build_parser().parse_args(
        ["gui", str(resource_path("images", "mnist-7.png")), "--model", "mnist-standard", *flags]
    )
    _, state = state_from_args(args)
    assert state.threat == threat and state.threat_fields() == fields


def test_an_opened_recipe_shows_its_threat_model(qtbot, window, tmp_path):
    from inspector.core.evasion.inspect import inspect
    from inspector.core.evasion.recipe import Recipe

    recipe = Recipe(
        image=str(resource_path("images", "mnist-7.png")),
        model="mnist-standard",
        attack="hopskipjump",
        params={"max_queries": 100, "steps": 3},
        output_mode="topk:k=2",
        throttle="10/min",
        stateful_detector="blacklight",
        device="cpu",
    )
    inspect(recipe).save(tmp_path / "run")
    with qtbot.waitSignal(window.attack_finished, timeout=WAIT_MS):
        assert window.window().open_recipe(str(tmp_path / "run" / "result.json"))  # File > Open recipe
    panel = window.threat_panel
    assert panel.threat_combo.currentData() == "top-k" and panel.top_k.value() == 2
    assert panel.throttle_box.isChecked() and panel.rate.text() == "10/min"
    assert panel.detector_combo.currentData() == "blacklight"
    assert "at 10 queries per minute" in panel.result.text()


def compare_modes(qtbot, workspace):
    with qtbot.waitSignal(workspace.modes_compared, timeout=WAIT_MS) as blocker:
        workspace.threat_panel.compare_modes.click()
    return blocker.args[0]


def test_the_output_mode_table_says_square_cannot_run_label_only(qtbot, window):
    panel = window.threat_panel
    assert not panel.compare_modes.isVisibleTo(panel)  # white-box: nothing to compare
    choose(panel, "scores")
    assert window.state.attack == "square" and panel.compare_modes.isVisibleTo(panel)
    window.attack_panel.form.editors["max_queries"].setValue(60)
    sweep = compare_modes(qtbot, window)
    assert [r.mode for r in sweep.rows] == list(MODES)
    texts = window.mode_table.texts()
    assert [t[0] for t in texts] == [r.title for r in sweep.rows]
    assert texts[-1][0] == "top-1 label only" and texts[-1][1].startswith("cannot run: Square Attack is score-based")
    for row, cells in zip(sweep.rows[:-1], texts[:-1], strict=True):
        assert row.ran and row.n == 1 and cells[1] == ("yes" if row.success else "no")
        if row.success:
            assert 1 <= int(cells[2]) <= 60


def test_the_output_mode_table_runs_hopskipjump_in_every_mode_on_held_out_digits(qtbot, window):
    panel = window.threat_panel
    choose(panel, "label-only")
    assert panel.held_out.isVisibleTo(panel)  # a digit model: held-out digits offered
    panel.held_out.setValue(3)
    window.attack_panel.form.editors["max_queries"].setValue(60)
    sweep = compare_modes(qtbot, window)
    assert sweep.held_out == 3 and all(r.ran and r.n == 4 for r in sweep.rows)
    texts = window.mode_table.texts()
    assert len(texts) == len(MODES) and all(len(t) == 6 for t in texts)
    full, label = texts[0], texts[-1]
    assert full[1].startswith("4/4 [") and full[1:5] == label[1:5]  # HopSkipJump reads only the top-1
    assert "3 held-out digits" in window.mode_table.heading.text()


def test_a_cancelled_output_mode_comparison_says_so(qtbot, window):
    choose(window.threat_panel, "label-only")
    window.attack_panel.form.editors["max_queries"].setValue(100000)
    with qtbot.waitSignal(window.modes_compared, timeout=WAIT_MS) as blocker:
        window.threat_panel.compare_modes.click()
        assert window.attack_panel.cancel_button.isEnabled()
        window.attack_panel.cancel_button.click()
    sweep = blocker.args[0]
    # cancelled at once: no mode of 100,000 queries finishes; the sweep stops in the mode it was in (its row
    # says cancelled) or before the first, and runs no later mode
    assert len(sweep.rows) <= 1 < len(MODES) and all(row.cancelled for row in sweep.rows)
    assert "Cancelled" in window.mode_table.heading.text()


def test_a_photo_on_a_digit_model_says_it_was_converted(qtbot, window):
    assert "converted" not in window.image_panel.file_label.text()  # a digit on a digit model
    with qtbot.waitSignal(window.preview_ready, timeout=WAIT_MS):
        window.open_image(str(resource_path("images", "coffee.png")))
    text = window.image_panel.file_label.text()
    assert text.startswith("coffee.png\nconverted: colour ") and "\u2192 grey 28x28" in text
