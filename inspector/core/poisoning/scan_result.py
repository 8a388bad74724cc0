"""What a data-level scan reports: the flagged training images per class, and TPR / FPR when the truth is known."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from inspector.core.poisoning.success import Rate


@dataclass
class DataScan:
    """``flagged`` (N,) bool over the training set; ``per_class`` maps a label to its flagged indices."""

    method: str
    flagged: torch.Tensor
    labels: torch.Tensor

    def per_class(self) -> dict[int, list[int]]:
        """Label -> the indices (into the training set) flagged among the images of that label."""
        return {int(c): (self.flagged & (self.labels == c)).nonzero().flatten().tolist() for c in self.labels.unique()}

    def rates(self, poisoned: torch.Tensor) -> tuple[Rate, Rate]:
        """TPR over the poisoned indices and FPR over the clean ones, against the truth ``poisoned`` (P,)."""
        truth = torch.zeros_like(self.flagged)
        truth[poisoned] = True
        return (
            Rate(int((self.flagged & truth).sum()), int(truth.sum())),
            Rate(int((self.flagged & ~truth).sum()), int((~truth).sum())),
        )

    def to_dict(self, poisoned: torch.Tensor | None = None) -> dict:
        out = {
            "method": self.method,
            "flagged_count": int(self.flagged.sum()),
            "per_class": {
                str(c): {"flagged": len(v), "of": int((self.labels == c).sum()), "indices": v}
                for c, v in self.per_class().items()
            },
        }
        if poisoned is not None:
            tpr, fpr = self.rates(poisoned)
            out |= {"tpr": tpr.to_dict(), "fpr": fpr.to_dict()}
        return out
