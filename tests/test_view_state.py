"""The view state is plain evented Python: it works, and tells its listeners, without Qt or a display."""

from __future__ import annotations

import subprocess
import sys

from inspector.gui.session import Session
from inspector.gui.workspaces.evasion.state import EvasionState, default_params


def test_view_state_modules_do_not_load_qt():
    code = (
        "import sys, inspector.gui.session, inspector.gui.workspaces.evasion.state, inspector.gui.workspaces.evaluate.state, "
        "inspector.gui.workspaces.evaluate.eta; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'superqt')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_evasion_state_tells_listeners_and_builds_the_recipe():
    state = EvasionState()
    seen = []
    state.events.attack.connect(lambda name: seen.append(("attack", name)))
    state.events.defenses.connect(lambda names: seen.append(("defenses", names)))
    state.attack = "fgsm"
    state.attack_params()["eps"] = 8 / 255
    state.defenses = ["jpeg"]
    state.adaptive = True
    assert seen == [("attack", "fgsm"), ("defenses", ["jpeg"])]
    recipe = state.recipe("mnist-standard", "cpu")
    assert (recipe.attack, recipe.model, recipe.device) == ("fgsm", "mnist-standard", "cpu")
    assert recipe.params == default_params("fgsm") | {"eps": 8 / 255}
    assert recipe.defenses == ["jpeg:quality=75"] and recipe.adaptive
    state.defenses = []
    assert not state.recipe("mnist-standard", None).adaptive  # adaptive needs a defence
    state.calibration = "/data/clean"
    assert state.recipe("mnist-standard", None).calibration == "/data/clean"


def test_session_tells_listeners_only_of_changes():
    session = Session(device="cpu")
    seen = []
    session.events.model.connect(seen.append)
    session.model = "mnist-standard"
    session.model = "mnist-standard"
    assert seen == ["mnist-standard"]


def test_presets_reset_the_parameters_and_the_estimate_needs_a_preview():
    state = EvasionState(attack="cw")
    state.attack_params()["steps"] = 7
    seen = []
    state.events.preset.connect(seen.append)
    state.use_preset("paper")
    assert seen == ["paper"] and state.attack_params()["steps"] == 10000 and state.params.keys() == {"cw"}
    state.attack = "square"
    assert state.attack_params()["max_queries"] == 10000  # every attack starts from the preset
    state.use_preset("default")
    assert state.attack_params() == default_params("square") and default_params("square")["max_queries"] == 500
    assert state.estimate() is None  # no model measured yet


def test_evaluate_state_builds_the_config_and_continues_a_folder_with_a_run(tmp_path):
    from inspector.gui.workspaces.evaluate.state import EvaluateState

    state = EvaluateState(eps=" 0, 1/255 ,, 2/255", steps=20, defenses=[], adaptive=True, out=str(tmp_path))
    config = state.config("mnist-standard", "cpu")
    assert config.eps == ["0", "1/255", "2/255"] and config.params == {}  # FGSM has no steps
    assert not config.adaptive and not config.resume  # adaptive needs a defence
    state.attacks = ["fgsm", "pgd"]
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    config = state.config("mnist-standard", "cpu")
    assert config.params == {"steps": 20} and config.resume and config.attacks == ["fgsm", "pgd"]
