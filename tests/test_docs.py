"""The documentation site builds with warnings as errors, as CI builds it (docs/build.sh).

Skipped, with the reason, where Sphinx or its extensions (the ``docs`` extra) are not installed.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MISSING = [name for name in ("sphinx", "myst_parser", "sphinxarg", "furo") if importlib.util.find_spec(name) is None]


@pytest.mark.skipif(
    bool(MISSING), reason=f'the docs extra is not installed (pip install -e ".[docs]"): no {", ".join(MISSING)}'
)
def test_docs_build_without_warnings(tmp_path):
    out = tmp_path / "html"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            "-d",
            str(tmp_path / "doctrees"),
            str(ROOT / "docs"),
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"sphinx-build failed:\n{done.stderr[-6000:]}"
    for page in (
        "index",
        "reference/cli",
        "reference/registries",
        "reference/api",
        "reference/schemas",
        "guides/model-files",
        "explanation/architecture",
    ):
        assert (out / f"{page}.html").is_file(), page
    # Generated from the code: the CLI from its parser, the attacks from their registry, the schema.
    cli = (out / "reference" / "cli.html").read_text(encoding="utf-8")
    assert "--trust-model-code" in cli and "evaluate" in cli
    registries = (out / "reference" / "registries.html").read_text(encoding="utf-8")
    assert "attack-pgd" in registries and "jpeg" in registries and "squeeze" in registries
    schemas = (out / "reference" / "schemas.html").read_text(encoding="utf-8")
    assert "class_names_file" in schemas and "inspector_version" in schemas
    assert (out / "reference" / "api" / "inspector.core.html").is_file()
