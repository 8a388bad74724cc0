"""The optional parts (pip extras): the app runs without them, and what needs one names it."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from inspector.core.io.resources import resource_path
from inspector.core.util.errors import InspectorError
from inspector.core.util.extras import EXTRAS, require_extra

ROOT = Path(__file__).resolve().parents[1]
COFFEE = str(resource_path("images", "coffee.png"))
#: Runs the rest of the command line as ``python -m inspector`` with every extra's modules missing.
WITHOUT_EXTRAS = (
    "import runpy, sys\n"
    f"for name in {[m for extra in EXTRAS.values() for m in extra.modules]!r}:\n"
    "    sys.modules[name] = None\n"
    "sys.argv = ['inspector'] + sys.argv[1:]\n"
    "runpy.run_module('inspector', run_name='__main__')\n"
)


def test_the_extras_are_those_of_pyproject():
    """Each extra's modules are its pip packages; the test and bundle extras pull them all in."""
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for name, extra in EXTRAS.items():
        assert [req.split(">")[0] for req in optional[name]] == list(extra.modules)
    assert "robustness-inspector[privacy]" in optional["bundle"]
    assert "robustness-inspector[privacy]" in optional["test"]
    mandatory = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert not [req for req in mandatory for extra in EXTRAS.values() for m in extra.modules if req.startswith(m)]
    # what a fresh install opens and explains with: base dependencies, not extras
    assert {"captum", "onnx", "onnxruntime"} <= {req.split(">")[0] for req in mandatory}


def test_dp_sgd_without_the_extra_names_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "opacus", None)
    with pytest.raises(InspectorError) as caught:
        require_extra("privacy")
    assert str(caught.value) == (
        'DP-SGD training (inspector train dp) needs the privacy extra: pip install "robustness-inspector[privacy]"'
    )
    require_extra("ray")  # installed here: nothing to say


def test_the_app_starts_and_classifies_without_any_extra(tmp_path):
    """What README's start command installs: the default app on its sample photo, and classify."""
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    )
    shot = tmp_path / "window.png"
    for args in (["gui", "--screenshot", str(shot)], ["classify", COFFEE, "--json"]):
        proc = subprocess.run(
            [sys.executable, "-c", WITHOUT_EXTRAS, *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
            cwd=tmp_path,
        )
        assert proc.returncode == 0, proc.stderr
    assert shot.stat().st_size > 0 and '"label"' in proc.stdout
