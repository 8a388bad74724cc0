"""An adaptive attack on a classifier guarded by a detector of differentiable score: the detector's
excess over its threshold is a penalty on the attacker's objective.

Carlini and Wagner 2017, "Adversarial Examples Are Not Easily Detected: Bypassing Ten Detection
Methods", arXiv:1705.07263, section 3: an attack on the classifier and the detector together.
Here the penalty enters the logits, so any gradient attack runs on the guarded model unchanged::

    guarded = Penalized(model, detector.differentiable_score, threshold, label=y)
    result = make_attack("pgd", {"eps": "0.3"}).run(guarded, x, y)

The logit of the class the attacker moves away from (the true label ``y``; for a targeted attack,
every class but the target) is raised by ``weight * relu(score(x) - limit) / limit``, with the limit
``margin`` below the threshold: while the score is above it the original class gains and the
gradient pushes the score down; below it the attack sees the bare model. The weight is moderate on
purpose: a penalty of tens of logits saturates the softmax of a cross-entropy loss, whose gradient
then vanishes (measured on 200 digits, PGD with cross-entropy: weight 5 lets 94 % of the adversarials evade
the realism check, a weight about 35 times larger 16 %). So a "success" of the attack on this wrapper does not mean the
detector is evaded: that is judged by the detector itself, never by this wrapper.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

#: Logit units per threshold's worth of score above the limit (see the module docstring).
WEIGHT = 5.0
#: The penalty starts this fraction below the threshold, so the attack stops safely under it.
MARGIN = 0.02


class Penalized(torch.nn.Module):
    """``model`` with the detector's excess score added to the logits (see the module docstring).

    ``forward(x)``: x (N, C, H, W) in [0, 1] -> (N, K) logits. ``label`` (N,) the true classes, or (1,)
    for every image; with ``target`` the target classes instead (targeted attack). ``score`` maps
    x to (N,) scores, differentiable; ``threshold`` > 0 (ValueError otherwise). Exposes the model's ``device``,
    ``class_names``, ``input_size``, ``channels``, ``num_classes`` and ``name``.
    """

    def __init__(
        self,
        model: torch.nn.Module,
        score: Callable[[torch.Tensor], torch.Tensor],
        threshold: float,
        *,
        label: torch.Tensor,
        target: torch.Tensor | None = None,
        weight: float = WEIGHT,
        margin: float = MARGIN,
    ):
        super().__init__()
        self.model, self.score = model, score
        if threshold <= 0:
            raise ValueError(f"a penalty needs a positive threshold, not {threshold}")
        self.limit = threshold * (1 - margin)
        self.label, self.target, self.weight = label, target, weight

    device = property(lambda self: self.model.device)
    class_names = property(lambda self: self.model.class_names)
    input_size = property(lambda self: self.model.input_size)
    channels = property(lambda self: self.model.channels)
    num_classes = property(lambda self: self.model.num_classes)
    name = property(lambda self: self.model.name)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        logits = self.model(x)
        excess = self.weight * (self.score(x) - self.limit).relu()[:, None] / self.limit  # (N, 1)
        if self.target is None:
            return logits + excess * torch.nn.functional.one_hot(self.label, logits.shape[1])
        return logits + excess * (1 - torch.nn.functional.one_hot(self.target, logits.shape[1]))
