"""Without ../shared/data the session still runs: the tests that need it skip, with the reason, and in CI
they fail. A small session in-process (pytester), with a data folder that does not exist."""

from __future__ import annotations

import pytest

TESTS = """
from pathlib import Path

import pytest

DATA = Path({missing!r})
PHOTO = DATA / "imagenet-sample" / "tench.JPEG"


def load_photo():
    return PHOTO.read_bytes()


@pytest.fixture
def digits():
    return (DATA / "mnist").iterdir()


def test_without_data():
    assert Path(".").is_dir()


def test_through_a_helper():
    load_photo()


def test_through_a_fixture(digits):
    list(digits)


def test_in_a_nested_function():
    assert (lambda: DATA.is_dir())()


@pytest.mark.requires_data
def test_marked():
    pass
"""

CONFTEST = """
from pathlib import Path

from needs_data import install


def pytest_configure(config):
    install(config, Path({missing!r}))
"""


#: The inner sessions need none of the suite's other plugins (Qt, benchmarks, hypothesis): faster without them.
QUIET = (
    "-p",
    "no:cacheprovider",
    "-p",
    "no:pytestqt.plugin",
    "-p",
    "no:benchmark",
    "-p",
    "no:hypothesispytest",
    "--strict-markers",
)


@pytest.fixture
def session(pytester, tmp_path):
    missing = str(tmp_path / "no-such-data")
    pytester.makeconftest(CONFTEST.format(missing=missing))
    pytester.makepyfile(test_sample=TESTS.format(missing=missing))
    return pytester, missing


def test_tests_that_need_missing_data_skip_with_the_reason_locally(session, monkeypatch):
    pytester, missing = session
    monkeypatch.delenv("CI", raising=False)
    result = pytester.runpytest_inprocess(*QUIET, "-rs")
    result.assert_outcomes(passed=1, skipped=4)
    result.stdout.fnmatch_lines([f"SKIPPED * the real test data is missing: expected it in {missing}"])


def test_they_fail_in_ci(session, monkeypatch):
    pytester, missing = session
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest_inprocess(*QUIET)
    result.assert_outcomes(passed=1, errors=4)
    result.stdout.fnmatch_lines([f"*the real test data is missing: expected it in {missing} (CI must provide it)"])


def test_with_the_data_they_run(pytester, tmp_path, monkeypatch):
    data = tmp_path / "data"
    (data / "mnist").mkdir(parents=True)
    (data / "imagenet-sample").mkdir()
    (data / "imagenet-sample" / "tench.JPEG").write_bytes(b"")
    pytester.makeconftest(CONFTEST.format(missing=str(data)))
    pytester.makepyfile(test_sample=TESTS.format(missing=str(data)))
    monkeypatch.setenv("CI", "true")
    result = pytester.runpytest_inprocess(*QUIET, "-m", "requires_data")
    result.assert_outcomes(passed=4, deselected=1)
