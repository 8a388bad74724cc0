"""LiRA, offline and online (Carlini et al. 2022): see :mod:`inspector.core.privacy.membership.lira`."""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.privacy.membership.attack import MEMBERSHIP_ATTACKS, MembershipAttack, MembershipProgress
from inspector.core.util.errors import ParameterError
from inspector.core.util.params import param

#: The most reference models a run may train.
MAX_REFERENCES = 256


def check_references(count: int) -> None:
    """Raises ParameterError (``param`` "references") unless ``count`` is even and in 2..MAX_REFERENCES."""
    if not (2 <= count <= MAX_REFERENCES and count % 2 == 0):
        detail = (
            f"must be an even number from 2 to {MAX_REFERENCES} (pairs of models on complementary halves), not {count}"
        )
        raise ParameterError(f"the number of reference models {detail}", param="references", detail=detail)


@dataclass
class LiRA(MembershipAttack):
    """The reference models come in pairs on complementary halves: their count is even; the
    parser lets 0 through so that this check words the rule."""

    needs_references = True
    online = False
    paper = "Carlini et al. 2022, arXiv:2112.03570"

    references: int = param(
        16, "reference models, even (about a minute each for mnist-standard)", minimum=0, maximum=MAX_REFERENCES
    )

    def __post_init__(self) -> None:
        check_references(self.references)

    def scores(self, model, x, y, *, seed, evaluation, references, report, should_stop, details):
        import torch

        from inspector.core.privacy.membership.lira import lira_scores
        from inspector.core.privacy.membership.scores import logit_confidence, logits_of

        done = references.train(
            self.references,
            should_stop=should_stop,
            on_progress=lambda p: report(MembershipProgress("reference models", p.ready, p.count, p)),
        )
        if not done:
            return None
        logits, masks = references.outputs(self.references)
        reference_phi = torch.stack([logit_confidence(out[evaluation.index], y) for out in logits])
        target_phi = logit_confidence(logits_of(model, x), y)
        details["reference_models"] = {
            "count": self.references,
            "recipe": references.method,
            "epochs": references.epochs,
            "cache": str(references.folder),
        }
        return lira_scores(target_phi, reference_phi, masks[:, evaluation.index], online=self.online)


@MEMBERSHIP_ATTACKS.register
@dataclass
class LiRAOffline(LiRA):
    name = "lira-offline"
    title = "LiRA offline (OUT reference models only)"


@MEMBERSHIP_ATTACKS.register
@dataclass
class LiRAOnline(LiRA):
    name = "lira-online"
    title = "LiRA online (IN and OUT reference models)"
    online = True
