"""An ensemble of classifiers as one model: the mean of their probabilities, or their majority vote.

As a defence: He, Wei, Chen, Carlini and Song 2017, "Adversarial Example Defenses: Ensembles of
Weak Defenses are not Strong", arXiv:1706.04701. An adversarial made on one member may not
transfer to the others (the non-adaptive attack); an attack made on the whole ensemble
(the adaptive one) sees every member at once. As a surrogate of a transfer attack: Liu, Chen,
Liu and Song 2017, arXiv:1611.02770, eq. 4 with equal weights.

    ensemble = Ensemble([load_model("mnist-standard"), load_model("mnist-pgd-at")], rule="vote")
    result = make_attack("pgd", {"eps": "0.3"}).run(ensemble, x, y)   # the adaptive attack

Rules:

* ``mean``: log of the mean softmax probability over the members (a valid logit vector).
* ``vote``: each member's top-1 is one vote; the class with most votes wins, a tie going to
  the higher mean probability. The vote has no useful gradient, so the logits are those of
  the vote on the forward pass and those of ``mean`` on the backward pass: an attack on the
  vote follows the mean probabilities as a differentiable surrogate (a straight-through
  estimator, as BPDA, :mod:`inspector.core.defenses.bpda`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from inspector.core.util.errors import ModelError, ParameterError
from inspector.core.util.messages import show_path

RULES = ("mean", "vote")


class Ensemble(torch.nn.Module):
    """Several classifiers of the same classes and channels as one: ``forward(x)`` takes (N, C, H, W)
    float32 in [0, 1] at the first member's input size and returns (N, K) logits by ``rule`` (see the
    module docstring); softmax of them gives the mean probabilities (``mean``) or the vote shares
    (``vote``: (votes + mean probability) / (M + 1)). A member of another input size (EfficientNet-Lite1
    at 240 beside Lite0 at 224) sees the input resized to its own by bilinear interpolation, which is
    differentiable, so an attack on the ensemble reaches it too.

    Keeps the first member's ``input_size``, ``channels``, ``class_names`` and ``resize``; ``name`` joins the
    members' names with ``" + "``.

    Raises:
        ParameterError: no member, or a rule not in :data:`RULES`.
    """

    def __init__(self, models: Sequence[Any], rule: str = "mean"):
        super().__init__()
        if not models:
            raise ParameterError("an ensemble needs at least one model")
        if rule not in RULES:
            raise ParameterError(f"ensemble rule {rule!r}: expected one of {', '.join(RULES)}")
        self.members = torch.nn.ModuleList(models)
        self.rule = rule
        first = models[0]
        self.name = " + ".join(m.name for m in models)
        self.input_size, self.channels, self.class_names = first.input_size, first.channels, first.class_names
        self.resize = getattr(first, "resize", "shorter-side-crop")

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def device(self) -> torch.device:
        first: Any = self.members[0]  # a ModuleList hands out plain Modules
        return first.device

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        probs = torch.stack([m(self._sized(x, m)).softmax(1) for m in self.members])  # (M, N, K)
        mean = probs.mean(0)
        log_mean = mean.clamp_min(1e-30).log()
        if self.rule == "mean":
            return log_mean
        votes = F.one_hot(probs.argmax(2), mean.shape[1]).sum(0).to(mean.dtype)  # (N, K)
        shares = (votes + mean.detach()) / (len(self.members) + 1)
        return log_mean + (shares.log() - log_mean).detach()

    def _sized(self, x: torch.Tensor, member: Any) -> torch.Tensor:
        """``x`` resized (bilinear) to ``member``'s input size where it differs from the ensemble's."""
        size = tuple(member.input_size)
        return x if size == tuple(x.shape[-2:]) else F.interpolate(x, size=size, mode="bilinear", align_corners=False)


def check_members(models: Sequence[Any]) -> None:
    """Refuse members that cannot vote together: other class counts or channels than the first
    (another input size is resized to, see :class:`Ensemble`).

    Raises:
        ModelError: one line naming the first member that differs and how.
    """
    first = models[0]
    for m in models[1:]:
        for what, a, b in (
            ("classes", len(m.class_names), len(first.class_names)),
            ("channels", m.channels, first.channels),
        ):
            if a != b:
                raise ModelError(
                    f"{show_path(m.name)} cannot join an ensemble with {show_path(first.name)}: its {what} "
                    f"{a} differ from {b}"
                )
