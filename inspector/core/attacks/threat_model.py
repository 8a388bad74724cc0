"""Threat models: what the attacker gets from the target, and so which attacks can run.

Each attack declares what it reads of a model in its class attribute
``Attack.threat_model``: ``"white-box"`` (the gradients), ``"score-based"``
(the scores of its answers) or ``"label-only"`` (its top-1 label). A
:class:`ThreatModel` names the kinds it lets run; the attacks it allows follow
from the registry, so a new attack is offered under the right threat models
without editing any table here.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.attacks.base import ATTACKS
from inspector.core.util.errors import ParameterError


@dataclass(frozen=True)
class ThreatModel:
    """One threat model.

    Attributes:
        name: its key in ``THREAT_MODELS`` (``"label-only"``).
        title: what the attacker gets, in words.
        kinds: the ``Attack.threat_model`` kinds that run under it.
        default_attack: the attack offered when the current one cannot run under it.
        output: the output mode the target answers with (``"topk:k={k}"`` for top-k), for the
            black-box threat models; None where no query reaches the target.
    """

    name: str
    title: str
    kinds: frozenset[str]
    default_attack: str
    output: str | None = None

    @property
    def queries_target(self) -> bool:
        """Whether the attack queries the target (black-box), so that its concealment applies."""
        return self.output is not None

    def allows(self, attack: str) -> bool:
        """Whether the registered attack ``attack`` runs under this threat model.

        Raises:
            KeyError: ``attack`` is not registered.
        """
        return ATTACKS[attack].threat_model in self.kinds

    def attacks(self) -> list[str]:
        """The registered attacks this threat model allows, in registry order."""
        return [name for name in ATTACKS if self.allows(name)]

    def output_mode(self, top_k: int) -> str | None:
        """The target's output mode spec (``top_k`` fills in top-k's k); None where no query reaches it."""
        return None if self.output is None else self.output.format(k=top_k)


_BLACK_BOX = frozenset({"score-based", "label-only"})

#: The threat models, by name, in the order they are offered.
THREAT_MODELS: dict[str, ThreatModel] = {
    t.name: t
    for t in (
        ThreatModel("white-box", "white-box: the model and its gradients", frozenset({"white-box"}), "pgd"),
        ThreatModel("scores", "black-box: all the scores", _BLACK_BOX, "square", "probabilities"),
        ThreatModel("top-k", "black-box: the top-k scores", _BLACK_BOX, "square", "topk:k={k}"),
        ThreatModel("label-only", "black-box: the top-1 label only", frozenset({"label-only"}), "hopskipjump", "label"),
        ThreatModel(
            "transfer", "transfer from a surrogate: no query to the target", frozenset({"white-box"}), "dimifgsm"
        ),
    )
}


def threat_model(name: str) -> ThreatModel:
    """The threat model called ``name``.

    Raises:
        ParameterError: an unknown name, listing the known ones.
    """
    if name not in THREAT_MODELS:
        raise ParameterError(f"unknown threat model {name!r}: choose one of {', '.join(THREAT_MODELS)}")
    return THREAT_MODELS[name]


def threat_model_of(attack: str, output_mode: str, surrogates: list[str]) -> ThreatModel:
    """The threat model a recipe's fields describe: surrogates make a transfer, a white-box attack is
    white-box, and a black-box one is label-only, top-k or scores by the target's ``output_mode``
    (a parsed mode's name: ``"label"``, ``"topk"``, any other).

    Raises:
        KeyError: ``attack`` is not registered.
    """
    if surrogates:
        return THREAT_MODELS["transfer"]
    if output_mode in ("label", "topk"):
        return THREAT_MODELS["label-only" if output_mode == "label" else "top-k"]
    return THREAT_MODELS["white-box" if ATTACKS[attack].threat_model == "white-box" else "scores"]
