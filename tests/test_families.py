"""Every registered family entry (training methods, membership attacks, stealing methods, poisoning attacks,
data scans, model scans) builds
from its defaults, and refuses an out-of-range value with a ParameterError naming the parameter;
the command line renders that name as the flag."""

from __future__ import annotations

import pytest

from inspector.cli.params import flag, flag_errors
from inspector.core.poisoning.attacks import POISONING_ATTACKS
from inspector.core.poisoning.model_scan import MODEL_SCANS
from inspector.core.poisoning.scans import DATA_SCANS
from inspector.core.privacy.membership import MEMBERSHIP_ATTACKS
from inspector.core.privacy.stealing_methods import STEALING_METHODS
from inspector.core.training import TRAINING_METHODS
from inspector.core.util.errors import ParameterError

FAMILIES = [TRAINING_METHODS, MEMBERSHIP_ATTACKS, STEALING_METHODS, POISONING_ATTACKS, DATA_SCANS, MODEL_SCANS]
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
        if spec.above is not None:
            with pytest.raises(ParameterError) as caught:
                registry.make(name, {spec.name: spec.above})
            assert caught.value.param == spec.name and "must be above" in caught.value.detail


def test_the_registries_hold_the_shipped_entries_under_their_kinds():
    """Subsets, not lists: a method added later must not break this test."""
    assert [r.kind for r in FAMILIES] == [
        "training method",
        "membership attack",
        "stealing method",
        "poisoning attack",
        "data scan",
        "model scan",
    ]
    assert {"standard", "pgd-at", "distilled", "dp"} <= set(TRAINING_METHODS)
    assert {"loss", "lira-offline", "lira-online", "label-only"} <= set(MEMBERSHIP_ATTACKS)
    assert {"copycat", "knockoff-random", "knockoff-adaptive"} <= set(STEALING_METHODS)
    assert {"badnets", "clean-label"} <= set(POISONING_ATTACKS)
    assert {"ac", "spectral"} <= set(DATA_SCANS)
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


def test_the_clean_label_budget_defaults_by_norm_and_is_checked_against_its_norm():
    l2, linf = POISONING_ATTACKS.make("clean-label"), POISONING_ATTACKS.make("clean-label", {"norm": "linf"})
    assert l2.eps is None and linf.eps is None  # "by norm", resolved in one place
    assert (l2.budget(), linf.budget()) == (8.0, 0.3)
    assert l2.settings()["eps"] == 8.0 and POISONING_ATTACKS.make("clean-label", {"eps": "5"}).budget() == 5.0
    assert POISONING_ATTACKS.make("clean-label", {"eps": "none"}).eps is None  # as its spec text writes it
    with pytest.raises(ParameterError) as caught:
        POISONING_ATTACKS.make("clean-label", {"norm": "linf", "eps": 2}).check()
    assert caught.value.param == "eps" and "for linf" in caught.value.detail
    POISONING_ATTACKS.make("clean-label", {"norm": "l2", "eps": 2}).check()


def test_a_data_scan_built_directly_is_checked_before_it_reads_the_model():
    from inspector.core.poisoning.scans.spectral import SpectralSignatures

    with pytest.raises(ParameterError) as caught:
        SpectralSignatures(expected_rate=0.9).scan(None, None, None, seed=0)
    assert caught.value.param == "expected_rate"
