"""Copycat CNN (Correia-Silva et al. 2018, arXiv:1806.05476): random pool images, labelled with
the victim's top-1 label (its hard label, even when scores are returned)."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.privacy.stealing_method import STEALING_METHODS, StealingMethod


@STEALING_METHODS.register
@dataclass
class Copycat(StealingMethod):
    name = "copycat"
    title = "Copycat CNN: random images, the victim's hard labels"
    paper = "Correia-Silva et al. 2018, arXiv:1806.05476"
    hard_labels = True
