"""Replaying a saved run exactly: an attack's result.json (or recipe) or an evaluation.

A run's numbers depend on its recipe, its seed, the device and torch's CPU thread count;
the saved files record all four, so on the same device and versions a replay gives the
same adversarial bytes::

    source = read_source("out/result.json")      # or an evaluation folder, its manifest or report
    replay = replay_attack(source)                # replay_evaluation(source) for an evaluation,
                                                  # replay_physical(source) for a physical attack
    print(replay.matched, replay.describe())
"""

from inspector.core.replay.attack import AttackReplay, replay_attack
from inspector.core.replay.evaluation import EvaluationReplay, replay_evaluation
from inspector.core.replay.physical import PhysicalReplay, PhysicalSource, replay_physical
from inspector.core.replay.poisoning import PoisoningSource
from inspector.core.replay.privacy import PrivacySource
from inspector.core.replay.source import AttackSource, EvaluationSource, read_source

__all__ = [
    "AttackReplay",
    "AttackSource",
    "EvaluationReplay",
    "EvaluationSource",
    "PhysicalReplay",
    "PhysicalSource",
    "PoisoningSource",
    "PrivacySource",
    "read_source",
    "replay_attack",
    "replay_evaluation",
    "replay_physical",
]
