"""Every registered family entry (training methods, membership attacks, stealing methods, model scans) builds
from its defaults, and refuses an out-of-range value with a ParameterError naming the parameter;
the command line renders that name as the flag."""

from __future__ import annotations

import pytest

from inspector.cli.params import flag, flag_errors
from inspector.core.poisoning.model_scan import MODEL_SCANS
from inspector.core.privacy.membership import MEMBERSHIP_ATTACKS
from inspector.core.privacy.stealing_methods import STEALING_METHODS
from inspector.core.training import TRAINING_METHODS
from inspector.core.util.errors import ParameterError

FAMILIES = [TRAINING_METHODS, MEMBERSHIP_ATTACKS, STEALING_METHODS, MODEL_SCANS]
ENTRIES = [(registry, name) for registry in FAMILIES for name in registry]


@pytest.mark.parametrize("registry, name", ENTRIES, ids=[f"{r.kind}:{n}" for r, n in ENTRIES])
def test_each_entry_builds_from_its_defaults_and_refuses_out_of_range(registry, name):
    cls = registry[name]
    built = registry.make(name)
    assert isinstance(built, cls) and built.name == name
    assert all(getattr(built, s.name) == s.default for s in cls.params())
    for spec in cls.params():
        if spec.maximum is not None:
            with pytest.raises(ParameterError) as caught:
                registry.make(name, {spec.name: spec.maximum * 2 + 1})
            assert caught.value.param == spec.name and "above the maximum" in caught.value.detail
        if spec.minimum is not None:
            with pytest.raises(ParameterError) as caught:
                registry.make(name, {spec.name: spec.minimum - 1})
            assert caught.value.param == spec.name and spec.name in str(caught.value)


def test_the_registries_hold_the_shipped_entries_under_their_kinds():
    """Subsets, not lists: a method added later must not break this test."""
    assert [r.kind for r in FAMILIES] == ["training method", "membership attack", "stealing method", "model scan"]
    assert {"standard", "pgd-at", "distilled", "dp"} <= set(TRAINING_METHODS)
    assert {"loss", "lira-offline", "lira-online", "label-only"} <= set(MEMBERSHIP_ATTACKS)
    assert {"copycat", "knockoff-random", "knockoff-adaptive"} <= set(STEALING_METHODS)
    assert "neural-cleanse" in MODEL_SCANS


def test_a_parameter_another_entry_lacks_is_refused_by_name():
    with pytest.raises(ParameterError) as caught:
        TRAINING_METHODS.make("standard", {"temperature": 3})
    assert caught.value.param == "temperature"


def test_the_cli_renders_the_parameter_as_its_flag():
    assert flag("max_grad_norm") == "--max-grad-norm"
    with (
        pytest.raises(ParameterError, match=r"^--epochs: 0 is below the minimum 1$"),
        flag_errors(TRAINING_METHODS),
    ):
        TRAINING_METHODS.make("dp", {"epochs": 0})
    with (
        pytest.raises(ParameterError, match="^the number of reference models must be an even number"),
        flag_errors(TRAINING_METHODS),  # not one of this registry's: unchanged
    ):
        MEMBERSHIP_ATTACKS.make("lira-online", {"references": 3})
