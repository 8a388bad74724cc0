"""Tests that need the real data in ../shared/data: found at collection, skipped without it on a
developer's machine, failed without it in CI.

A test needs the data when it carries the ``requires_data`` marker, or when its code, a fixture it
uses, or a function of the same module either of them calls refers to a path in the data folder
(``DATA / "mnist"``, ``IMAGENET_SAMPLE``, a module constant such as ``TENCH``). Such tests get the
marker at collection; ``pytest -m "not requires_data"`` runs the others.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import CodeType, FunctionType

import pytest

MARKER = "requires_data"


def in_ci() -> bool:
    """CI sets ``CI=true`` (GitHub Actions, GitLab, .ci/run's callers)."""
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def _is_data_path(value, data: Path) -> bool:
    return isinstance(value, Path) and (value == data or data in value.parents)


def _refers_to_data(code: CodeType, namespace: dict, data: Path, seen: set) -> bool:
    """Whether ``code`` (or code nested in it, or a function of ``namespace`` it names) names a data path."""
    for name in code.co_names:
        value = namespace.get(name)
        if _is_data_path(value, data):
            return True
        if isinstance(value, FunctionType) and value.__globals__ is namespace and value not in seen:
            seen.add(value)
            if _refers_to_data(value.__code__, namespace, data, seen):
                return True
    return any(
        isinstance(const, CodeType) and _refers_to_data(const, namespace, data, seen) for const in code.co_consts
    )


def _function_needs_data(func, data: Path) -> bool:
    func = getattr(func, "__wrapped__", func)
    code = getattr(func, "__code__", None)
    return code is not None and _refers_to_data(code, func.__globals__, data, {func})


def needs_data(item: pytest.Item, data: Path) -> bool:
    """Whether ``item`` is marked, or its test function or a fixture it uses refers to the data folder."""
    if item.get_closest_marker(MARKER):
        return True
    if isinstance(item, pytest.Function) and _function_needs_data(item.function, data):
        return True
    info = getattr(item, "_fixtureinfo", None)
    for definitions in info.name2fixturedefs.values() if info else ():
        if any(_function_needs_data(d.func, data) for d in definitions):
            return True
    return False


class RequiresData:
    """The plugin: marks the tests that need ``data`` and, when it is missing, skips them (fails them in CI)."""

    def __init__(self, data: Path):
        self.data = data

    def pytest_collection_modifyitems(self, items):
        for item in items:
            if needs_data(item, self.data) and not item.get_closest_marker(MARKER):
                item.add_marker(MARKER)

    def pytest_runtest_setup(self, item):
        if item.get_closest_marker(MARKER) and not self.data.is_dir():
            message = f"the real test data is missing: expected it in {self.data}"
            if in_ci():
                pytest.fail(f"{message} (CI must provide it)", pytrace=False)
            pytest.skip(message)


def install(config: pytest.Config, data: Path) -> None:
    """Register the marker and the plugin (from a conftest's ``pytest_configure``)."""
    config.addinivalue_line(
        "markers",
        f"{MARKER}: needs the real data in {data} (skipped without it, "
        "failed without it in CI); set at collection on tests that refer to it",
    )
    config.pluginmanager.register(RequiresData(data), "requires-data")
