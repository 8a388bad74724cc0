"""What a fresh install brings: every package the tool imports is one of its declared dependencies."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def imported_top_level_modules() -> set[str]:
    """The top-level modules imported anywhere in inspector/ (at module level or inside functions)."""
    found: set[str] = set()
    for path in (ROOT / "inspector").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"inspector", "__future__"}


def test_every_imported_package_is_a_declared_dependency():
    declared = {
        Requirement(req).name.lower().replace("_", "-")
        for req in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    }
    distributions = packages_distributions()
    missing = {
        module: distributions.get(module, [module])
        for module in imported_top_level_modules()
        if not {d.lower().replace("_", "-") for d in distributions.get(module, [module])} & declared
    }
    assert not missing, f"imported by inspector/ but not in [project] dependencies: {missing}"


def test_the_dependency_scan_sees_the_lazy_imports():
    """captum, onnx, opacus and ray are imported inside functions only (start-up stays light): the
    scan above must still see them, or it would pass for the wrong reason."""
    assert {"captum", "onnx", "onnxruntime", "opacus", "ray", "torch", "PySide6"} <= imported_top_level_modules()
