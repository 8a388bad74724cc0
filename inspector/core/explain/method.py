"""An explanation method: its settings as :func:`~inspector.core.util.params.param` fields, and the
registry of them (``inspector explain --method NAME``).

Each method is one module of :mod:`inspector.core.explain` with one :class:`ExplanationMethod`
subclass decorated ``@EXPLANATION_METHODS.register``; its import in that package's ``__init__``
is the registration line. The attributions are captum's, imported inside
:meth:`ExplanationMethod.attribute` only, so that the command line lists the methods without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from inspector.core.util.errors import ModelError, ParameterError
from inspector.core.util.messages import show_path
from inspector.core.util.params import Configurable, Registry

if TYPE_CHECKING:
    import torch

    from inspector.core.models.classifier import Classifier

#: The explanation methods by name.
EXPLANATION_METHODS = Registry("explanation method")


@dataclass
class Attribution:
    """What a method says one class's logit owes to each pixel of one image.

    Attributes:
        map: (H, W) float32 on the CPU, the image's size; its sign and scale are the method's
            (gradients, logit units for integrated gradients, a non-negative map for Grad-CAM).
        target: the class index whose logit is explained.
        delta: for integrated gradients, the completeness gap: the attributions' sum minus the
            logit's change from the baseline to the image (logit units); None for the others.
    """

    map: torch.Tensor
    target: int
    delta: float | None = None


@dataclass
class ExplanationMethod(Configurable):
    """One attribution method; subclasses set ``name``, ``title`` and ``paper``, add their
    parameters and implement :meth:`_attribute`."""

    title: ClassVar[str] = ""
    paper: ClassVar[str] = ""

    def attribute(self, model: Classifier, x: torch.Tensor, target: int) -> Attribution:
        """Attribute the logit ``target`` of ``model`` on ``x``, (1, C, H, W) in [0, 1], to its pixels.

        Raises:
            ParameterError: ``target`` is no class of the model.
            ModelError: the model has no usable input gradient, fails on ``x``, or has no layer
                the method needs.
        """
        if not model.has_input_gradient:
            raise ModelError(f"{show_path(model.name)}: the model has no usable input gradient to explain it with")
        if not 0 <= target < model.num_classes:
            raise ParameterError(f"class {target} is not one of the model's classes (0 to {model.num_classes - 1})")
        # the model's weights are frozen: the input's gradient is what carries one to every layer
        x = x.to(model.device).detach().requires_grad_(True)
        return self._attribute(model, x, target)

    def _attribute(self, model: Classifier, x: torch.Tensor, target: int) -> Attribution:
        raise NotImplementedError
