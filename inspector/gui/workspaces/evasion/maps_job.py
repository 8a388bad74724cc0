"""Where the model looks, for the Evasion view's overlay: the attribution maps of the last attack's
original and adversarial, made on a worker thread as heat-map pixels.

The original is explained towards the class the attack started from, the adversarial towards the
class it is read as (:func:`inspector.core.explain.explain.explain`, which runs the method's
sanity check once per model). captum is imported by the job only, never at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from inspector.core.evasion.inspect import Inspection
from inspector.gui.jobs import Job


@dataclass(eq=False)
class Maps:
    """The maps of one attack's images by one method, ready to show.

    Attributes:
        inspection: the attack they explain.
        method: the method's registered name.
        original, adversarial: (H, W, 3) uint8 heat maps over the images, the model's input size.
        original_class, adversarial_class: the names of the classes explained.
        sanity: the method's sanity check on the model, one line; ``flagged`` where it failed it.
    """

    inspection: Inspection
    method: str
    original: np.ndarray
    adversarial: np.ndarray
    original_class: str
    adversarial_class: str
    sanity: str
    flagged: bool


def maps_job(job: Job, inspection: Inspection, method: str) -> Maps:
    """Explain ``inspection``'s original and adversarial with the registered method ``method``.

    Raises:
        ModelError: the model lacks what the method needs (input gradient, feature maps), or fails.
    """
    from inspector.core.explain import EXPLANATION_METHODS
    from inspector.core.explain.explain import explain
    from inspector.core.explain.heatmap import heat_map

    model = inspection.model
    x, x_adv = inspection.x.to(model.device), inspection.x_adv.to(model.device)
    explanation = explain(model, EXPLANATION_METHODS.make(method), x, target=inspection.original.label, x_adv=x_adv)
    adversarial = explanation.adversarial
    assert adversarial is not None  # given x_adv
    names = model.class_names
    return Maps(
        inspection,
        method,
        np.asarray(heat_map(x, explanation.original.attribution.map)),
        np.asarray(heat_map(x_adv, adversarial.attribution.map)),
        names[explanation.original.attribution.target],
        names[adversarial.attribution.target],
        explanation.sanity.describe(),
        explanation.sanity.flagged,
    )
