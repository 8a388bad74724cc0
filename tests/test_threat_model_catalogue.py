"""The threat models in core: which attacks each allows follows from the attacks' declarations."""

from dataclasses import dataclass

import pytest

from inspector.core.attacks import ATTACKS
from inspector.core.attacks.hopskipjump import HopSkipJump
from inspector.core.attacks.threat_model import THREAT_MODELS, threat_model, threat_model_of
from inspector.core.util.errors import ParameterError


def test_each_threat_model_allows_the_attacks_its_access_can_run():
    allowed = {name: set(t.attacks()) for name, t in THREAT_MODELS.items()}
    kinds = {
        kind: {n for n, cls in ATTACKS.items() if cls.threat_model == kind}
        for kind in ("white-box", "score-based", "label-only")
    }
    assert allowed["white-box"] == allowed["transfer"] == kinds["white-box"]
    assert allowed["scores"] == allowed["top-k"] == kinds["score-based"] | kinds["label-only"] >= {"square"}
    assert allowed["label-only"] == kinds["label-only"] >= {"hopskipjump"}
    for threat in THREAT_MODELS.values():  # the attack it switches to runs under it
        assert threat.allows(threat.default_attack)
    assert {t.name for t in THREAT_MODELS.values() if t.queries_target} == {"scores", "top-k", "label-only"}


def test_a_new_attack_is_offered_by_its_declared_kind_without_a_table(monkeypatch):
    @dataclass
    class Probe(HopSkipJump):
        name = "probe"

    monkeypatch.setitem(ATTACKS, "probe", Probe)
    assert {t.name for t in THREAT_MODELS.values() if t.allows("probe")} == {"scores", "top-k", "label-only"}


@pytest.mark.parametrize(
    "attack, mode, surrogates, expected",
    [
        ("pgd", "probabilities", [], "white-box"),
        ("square", "probabilities", [], "scores"),
        ("square", "topk", [], "top-k"),
        ("hopskipjump", "label", [], "label-only"),
        ("pgd", "probabilities", ["mnist-standard"], "transfer"),
    ],
)
def test_a_recipe_names_its_threat_model(attack, mode, surrogates, expected):
    assert threat_model_of(attack, mode, surrogates).name == expected


def test_output_modes_and_an_unknown_name():
    assert threat_model("top-k").output_mode(3) == "topk:k=3"
    assert threat_model("label-only").output_mode(3) == "label" and threat_model("transfer").output_mode(3) is None
    with pytest.raises(ParameterError, match="unknown threat model 'grey-box': choose one of white-box, scores"):
        threat_model("grey-box")
