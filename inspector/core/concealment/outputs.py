"""What a deployed classifier answers: the output modes of a query oracle.

Target concealment starts with the answer: full probabilities, rounded ones,
the top-k only, the top-1 label only, or probabilities with noise. The modes
follow ART's output postprocessors (``art/defences/postprocessor/``: Rounded,
HighConfidence, ClassLabels, GaussianNoise; Chandrasekaran et al. 2020,
arXiv:1811.02054 study them against model extraction); top-k is what most
hosted APIs return. Specs read ``name:key=value`` (``rounded:decimals=2``,
``topk:k=5``, ``noisy:sigma=0.01``), as defences do.

Every mode maps the model's logits (M, K) to its answer: (M, K) float scores
for the score modes, (M,) long labels for ``label``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import torch

from inspector.core.defenses.spec import parse_spec
from inspector.core.util.params import MAX_SEED, Configurable, Registry, param


class OutputMode(Configurable):
    """Base class of output modes; subclasses are dataclasses registered with :func:`register`.

    Class attributes:
        name: the spec name (``"rounded"``).
        title: the name shown to users.
        reveals_scores: False when the answer is a label only (score-based attacks cannot run).
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    reveals_scores: ClassVar[bool] = True

    def answer(self, logits: torch.Tensor) -> torch.Tensor:
        """The answer to (M, K) logits: (M, K) float32 scores in [0, 1], or (M,) long labels."""
        raise NotImplementedError

    def describe(self) -> str:
        """One phrase for a status line (``"top-5 scores"``)."""
        return self.title


OUTPUT_MODES: Registry = Registry("output mode")
register = OUTPUT_MODES.register


@register
@dataclass
class Probabilities(OutputMode):
    """All K softmax probabilities, as computed (no concealment)."""

    name = "probabilities"
    title = "full probabilities"

    def answer(self, logits):
        return logits.softmax(1)


@register
@dataclass
class Rounded(OutputMode):
    """Softmax probabilities rounded to ``decimals`` decimals (ART's Rounded); small ones become 0."""

    name = "rounded"
    title = "rounded probabilities"
    decimals: int = param(2, "decimals kept (ART's default: 3)", minimum=0, maximum=8)

    def answer(self, logits):
        return logits.softmax(1).round(decimals=self.decimals)

    def describe(self):
        return f"probabilities rounded to {self.decimals} decimals"


@register
@dataclass
class TopK(OutputMode):
    """The k largest softmax probabilities; the other classes read 0 (a hosted API's "top-5")."""

    name = "topk"
    title = "top-k probabilities"
    k: int = param(5, "classes whose scores are returned", minimum=1, maximum=100000)

    def answer(self, logits):
        probs = logits.softmax(1)
        keep = probs.topk(min(self.k, probs.shape[1]), dim=1).indices
        return torch.zeros_like(probs).scatter(1, keep, probs.gather(1, keep))

    def describe(self):
        return f"top-{self.k} probabilities"


@register
@dataclass
class Label(OutputMode):
    """The top-1 class index only (ART's ClassLabels): the label-only threat model."""

    name = "label"
    title = "top-1 label only"
    reveals_scores = False

    def answer(self, logits):
        return logits.argmax(1)


@register
@dataclass
class Noisy(OutputMode):
    """Softmax probabilities plus Gaussian noise of standard deviation ``sigma``, clipped at 0 and
    renormalised to sum 1 (ART's GaussianNoise); the noise comes from a generator seeded by ``seed``.
    The top-1 may change where two classes are within a few sigma."""

    name = "noisy"
    title = "noisy probabilities"
    sigma: float = param(
        0.01,
        "standard deviation of the noise added to each probability (ART's default: 0.2)",
        minimum=0.0,
        maximum=10.0,
    )
    seed: int = param(0, "seed of the noise", minimum=0, maximum=MAX_SEED)
    _generator: torch.Generator | None = field(default=None, init=False, repr=False, compare=False)

    def answer(self, logits):
        if self._generator is None:
            self._generator = torch.Generator().manual_seed(self.seed)
        probs = logits.softmax(1)
        noise = torch.randn(probs.shape, generator=self._generator).to(probs.device) * self.sigma
        noisy = (probs + noise).clamp_min(0.0)
        return noisy / noisy.sum(1, keepdim=True).clamp_min(1e-12)

    def describe(self):
        return f"probabilities with noise (sigma {self.sigma:g})"


def output_mode_from_spec(text: str) -> OutputMode:
    """Build an output mode from ``"name:key=value,..."`` (``"label"``, ``"topk:k=5"``).

    Raises:
        ParameterError: an unknown mode or a bad parameter.
    """
    name, values = parse_spec(text, "output mode")
    return OUTPUT_MODES.make(name, values)
