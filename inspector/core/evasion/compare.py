"""Compare models on one image and one attack: what does a hardened model buy?

The first model is attacked; every model (the first included) then classifies
that same adversarial (a transfer attack for the others). Optionally each
other model is also attacked directly with the same recipe, which tells
robustness apart from a transfer that merely failed.

    comparison = compare(Recipe(image="digit.png", model="mnist-standard",
                                params={"eps": "0.3"}), ["mnist-pgd-at", "mnist-distilled"])
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

from inspector.core.attacks.base import StepCallback, StopCheck
from inspector.core.evasion.classify import Classification, predict
from inspector.core.evasion.inspect import Inspection, inspect
from inspector.core.evasion.recipe import Recipe
from inspector.core.evasion.transfer import Resized
from inspector.core.models.loading import load_model
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import show_path


@dataclass
class ModelComparison:
    """One model's view of the comparison.

    Attributes:
        model: the model's name.
        original: its prediction on the original image.
        transfer: its prediction on the first model's adversarial.
        direct: the inspection of an attack on this model itself (None unless asked for;
            for the first model it is the source attack).
    """

    model: str
    original: Classification
    transfer: Classification
    direct: Inspection | None = None

    @property
    def transfer_fooled(self) -> bool:
        """The first model's adversarial changes this model's top-1 class."""
        return self.transfer.label != self.original.label

    def to_dict(self) -> dict:
        out = {
            "model": self.model,
            "original": self.original.to_dict(),
            "transfer": self.transfer.to_dict(),
            "transfer_fooled": self.transfer_fooled,
        }
        if self.direct is not None:
            d = self.direct.to_dict()
            out["direct"] = {
                k: d[k] for k in ("adversarial", "success", "norms", "iterations", "gradient_evaluations", "attack")
            }
        return out


@dataclass
class Comparison:
    """The result of :func:`compare`: the source attack and one entry per model (the source first)."""

    source: Inspection
    models: list[ModelComparison]

    def to_dict(self) -> dict:
        """JSON-ready: the source inspection's summary plus ``models``; ``attack.loss`` names the objective."""
        return {"source": self.source.to_dict(), "models": [m.to_dict() for m in self.models]}


def compare(
    recipe: Recipe,
    others: list[str],
    *,
    direct: bool = False,
    on_step: StepCallback | None = None,
    should_stop: StopCheck | None = None,
    on_attack: Callable[[str], None] | None = None,
) -> Comparison:
    """Attack ``recipe.model`` on ``recipe.image``, then classify the adversarial with each of ``others``.

    All models must take the same channels and number of classes. A model of
    another input size (EfficientNet-Lite1 next to Lite0) reads the original and
    the adversarial resized to its own (bilinear, as its preprocessing would;
    :class:`~inspector.core.evasion.transfer.Resized`). With ``direct``, each of ``others``
    is also attacked with the same recipe (``on_step`` reports every attack;
    ``on_attack`` gets each attacked model's name before its attack starts).

    Raises:
        ModelError: a model cannot be loaded or takes another channel count or number of classes.
        ImageError, DeviceError, ParameterError, ClassNameError: as :func:`~inspector.core.evasion.inspect.inspect`.
    """
    announce = on_attack or (lambda _name: None)
    announce(recipe.model)
    source = inspect(recipe, on_step=on_step, should_stop=should_stop)
    clf = source.model
    rows = [ModelComparison(clf.name, source.original, source.adversarial, source if direct else None)]
    for spec in others:
        other = load_model(spec, recipe.device)
        if other.channels != clf.channels or other.num_classes != clf.num_classes:
            raise ModelError(
                f"cannot compare {show_path(spec)} ({other.channels} channels, {other.num_classes} "
                f"classes) with {show_path(clf.name)} ({clf.channels} channels, {clf.num_classes} "
                "classes): models must take the same channels and classes"
            )
        reader = other if other.input_size == clf.input_size else Resized(other, clf.input_size)
        row = ModelComparison(
            other.name,
            predict(reader, source.x, recipe.top_k),
            predict(reader, source.x_adv, recipe.top_k, what="the adversarial image"),
        )
        if direct:
            announce(spec)
            row.direct = inspect(
                dataclasses.replace(recipe, model=spec, weights=None, trust_model_code=False),
                model=other,
                on_step=on_step,
                should_stop=should_stop,
            )
        rows.append(row)
    return Comparison(source, rows)
