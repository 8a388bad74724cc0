"""The evaluation report's example adversarials with their attribution maps: where the model looked on
the original (towards its true class) and on the adversarial (towards the class it is read as).

Called by the faces after :func:`inspector.core.evaluation.evaluate` (the evaluation itself knows
nothing of explanations), before the report is written.
"""

from __future__ import annotations

from inspector.core.evaluation.result import Example, ExampleMaps
from inspector.core.explain.explain import explain
from inspector.core.explain.figure import maps_figure
from inspector.core.explain.method import EXPLANATION_METHODS
from inspector.core.models.classifier import Classifier
from inspector.core.util.errors import InspectorError

#: The method the maps are made with (one forward and one backward pass per image; Selvaraju et al. 2017).
METHOD = "grad-cam"


def add_maps(examples: list[Example], model: Classifier) -> None:
    """Explain each example with :data:`METHOD` on ``model`` (with the method's sanity check, run once
    for the model) and set its ``maps``: the figure of
    :func:`~inspector.core.explain.figure.maps_figure` and a line naming the method and the check's
    outcome. Where that is refused (a model whose layers or
    input gradient are not visible) the ``maps`` have no figure and the one-line reason; nothing is raised for it.
    """
    method = EXPLANATION_METHODS.make(METHOD)
    for example in examples:
        x, x_adv = example.x.to(model.device), example.x_adv.to(model.device)
        try:
            explanation = explain(model, method, x, target=example.label, x_adv=x_adv)
        except InspectorError as exc:
            example.maps = ExampleMaps(None, str(exc))
            continue
        note = f"{method.title} ({method.paper}); {explanation.sanity.describe()}"
        example.maps = ExampleMaps(maps_figure(explanation), note, explanation.sanity.flagged)
