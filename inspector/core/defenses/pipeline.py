"""Composition of defences, and a classifier that applies them before classifying.

    pipeline = Pipeline([make_defense("jpeg", {"quality": 75}), make_defense("blur")])
    defended = DefendedClassifier(model, pipeline)   # an nn.Module: pixels -> logits
    attack.run(defended, x, y)                        # an adaptive attack, unchanged

On the forward pass the defended classifier applies each defence exactly. On
the backward pass, non-differentiable defences pass gradients through BPDA
(:mod:`inspector.core.defenses.bpda`); if any defence is randomised, the
logits are the EOT expectation over ``eot_samples`` draws
(:mod:`inspector.core.defenses.eot`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import torch
from torch import nn

from inspector.core.defenses.base import Defense
from inspector.core.defenses.bpda import bpda
from inspector.core.defenses.eot import expected_log_probabilities


@dataclass
class Pipeline:
    """Defences applied in order; (N, C, H, W) in [0, 1] in and out."""

    defenses: list[Defense] = field(default_factory=list)

    @property
    def randomized(self) -> bool:
        return any(d.randomized for d in self.defenses)

    def specs(self) -> list[str]:
        return [d.spec() for d in self.defenses]

    def apply(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """The exact transforms, without gradient."""
        with torch.no_grad():
            for d in self.defenses:
                x = d.transform(x, generator)
        return x

    def differentiable(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        """The exact transforms forward; gradients direct or through BPDA."""
        for d in self.defenses:
            if d.differentiable:
                x = d.transform(x, generator)
            else:
                x = bpda(x, partial(d.transform, generator=generator), d.approximation)
        return x


class DefendedClassifier(nn.Module):
    """``classifier(pipeline(x))`` as one module, for adaptive attacks and evaluation.

    ``forward(x)``: x (N, C, H, W) float32 in [0, 1] -> logits (N, K). With a
    randomised pipeline and ``eot_samples`` > 1 the logits are
    log E[softmax] over that many draws (EOT); draws come from a generator
    seeded with ``seed``. Exposes the classifier's ``device``, ``class_names``,
    ``input_size``, ``channels`` and ``num_classes``.
    """

    def __init__(self, classifier: nn.Module, pipeline: Pipeline, *, eot_samples: int = 1, seed: int = 0):
        super().__init__()
        self.classifier = classifier
        self.pipeline = pipeline
        self.eot_samples = eot_samples if pipeline.randomized else 1
        self.generator = torch.Generator().manual_seed(seed)

    device = property(lambda self: self.classifier.device)
    class_names = property(lambda self: self.classifier.class_names)
    input_size = property(lambda self: self.classifier.input_size)
    channels = property(lambda self: self.classifier.channels)
    num_classes = property(lambda self: self.classifier.num_classes)

    def _sample(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.pipeline.differentiable(x, self.generator))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.eot_samples > 1:
            return expected_log_probabilities(x, self._sample, self.eot_samples)
        return self._sample(x)
