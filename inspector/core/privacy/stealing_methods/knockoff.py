"""Knockoff Nets (Orekondy, Schiele and Fritz 2019, arXiv:1812.02766): the copy learns the
victim's probabilities (soft cross-entropy) when they are returned, else its labels; the images
are drawn at random or chosen by the adaptive bandit."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.privacy.stealing_method import STEALING_METHODS, StealingMethod


@STEALING_METHODS.register
@dataclass
class KnockoffRandom(StealingMethod):
    name = "knockoff-random"
    title = "Knockoff Nets, random images"
    paper = "Orekondy et al. 2019, arXiv:1812.02766"


@STEALING_METHODS.register
@dataclass
class KnockoffAdaptive(StealingMethod):
    name = "knockoff-adaptive"
    title = "Knockoff Nets, images chosen by the adaptive bandit, the copy trained online"
    paper = "Orekondy et al. 2019, arXiv:1812.02766"
    adaptive = True
