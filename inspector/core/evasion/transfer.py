"""Transfer from a replica: attack a surrogate the attacker owns, send the adversarial to the target.

No query reaches the target while the adversarial is made, so throttling and
stateful detection see nothing (Papernot et al. 2017, arXiv:1602.02697; Liu
et al. 2017, arXiv:1611.02770). The surrogate may take another input size
than the target: :class:`Resized` lets it read the target's input (bilinear,
differentiable), so the adversarial is made, and judged, at the target's size.
An :class:`~inspector.core.defenses.ensemble.Ensemble` of surrogates (Liu et al. 2017, the mean of
their probabilities) gives one model to attack.

    surrogate = as_surrogate([load_model("efficientnet-lite1"), load_model("efficientnet-lite2")], target)
    result = make_attack("dimifgsm", {"eps": "8/255"}).run(surrogate, x, y)
    fooled = target(result.x_adv).argmax(1) != y
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from inspector.core.defenses.ensemble import Ensemble
from inspector.core.models.classifier import Classifier
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import show_path


class Resized(torch.nn.Module):
    """A classifier that reads images of another size: x (N, C, H, W) is resized (bilinear) to the
    classifier's ``input_size`` before it; differentiable in x. Keeps ``name``, ``class_names`` and
    ``num_classes`` of the classifier and reports ``input_size`` (H, W)."""

    def __init__(self, model: Classifier, input_size: tuple[int, int]):
        super().__init__()
        self.model = model
        height, width = input_size
        self.input_size = (height, width)
        self.name, self.channels = model.name, model.channels
        self.class_names = model.class_names

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def device(self) -> torch.device:
        return self.model.device

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if tuple(x.shape[-2:]) != tuple(self.model.input_size):
            x = F.interpolate(x, size=self.model.input_size, mode="bilinear", align_corners=False)
        return self.model(x)


def as_surrogate(models: list[Classifier], target: Classifier) -> Classifier | Resized | Ensemble:
    """The model to attack for ``target``: each of ``models`` reading the target's input size, and
    their :class:`Ensemble` when there are several.

    Raises:
        ModelError: a surrogate of other channels or classes than the target.
    """
    wrapped: list[Classifier | Resized] = []
    for m in models:
        if m.channels != target.channels or len(m.class_names) != len(target.class_names):
            raise ModelError(
                f"{show_path(m.name)} cannot stand in for {show_path(target.name)}: it takes "
                f"{m.channels} channels and {len(m.class_names)} classes, the target "
                f"{target.channels} and {len(target.class_names)}"
            )
        wrapped.append(m if tuple(m.input_size) == tuple(target.input_size) else Resized(m, target.input_size))
    return wrapped[0] if len(wrapped) == 1 else Ensemble(wrapped)
