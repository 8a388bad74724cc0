"""Explanations: which pixels a classifier's score owes most to, before and after an attack.

:data:`EXPLANATION_METHODS` holds the attribution methods (captum's);
:mod:`.compare` measures how far a map moved; :mod:`.explain` explains an image and an
adversarial of it, and saves the maps as heat maps.
"""

from inspector.core.explain import grad_cam, integrated_gradients, occlusion, saliency, smoothgrad  # noqa: F401  (registration)
from inspector.core.explain.method import EXPLANATION_METHODS, Attribution, ExplanationMethod

__all__ = ["EXPLANATION_METHODS", "Attribution", "ExplanationMethod"]
