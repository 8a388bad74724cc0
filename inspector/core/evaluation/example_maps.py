"""The report's example adversarials with their attribution maps: where the model looked on the
original (towards its true class) and on the adversarial (towards the class it is read as)."""

from __future__ import annotations

from inspector.core.evaluation.result import Example
from inspector.core.models.classifier import Classifier
from inspector.core.util.errors import InspectorError

#: The method the maps are made with (one forward and one backward pass per image; Selvaraju et al. 2017).
METHOD = "grad-cam"


def add_maps(examples: list[Example], model: Classifier) -> None:
    """Explain each example with :data:`METHOD` (:func:`~inspector.core.explain.explain.explain`, with
    its sanity check, run once for the model) and set its ``explanation``; where that is refused
    (captum, the ``explain`` extra, missing; a model whose layers or input gradient are not visible),
    set its ``no_explanation`` to the one-line reason instead. Raises nothing of the kind."""
    from inspector.core.explain import EXPLANATION_METHODS
    from inspector.core.explain.explain import explain

    method = EXPLANATION_METHODS.make(METHOD)
    for example in examples:
        x, x_adv = example.x.to(model.device), example.x_adv.to(model.device)
        try:
            example.explanation = explain(model, method, x, target=example.label, x_adv=x_adv)
        except InspectorError as exc:
            example.no_explanation = str(exc)
