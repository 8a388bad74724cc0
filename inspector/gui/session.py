"""What every workspace shares, in plain evented Python (no Qt): the model and the device.

Workspaces listen to ``session.events.model`` and ``session.events.device``
(psygnal signals) and reload what depends on them; the main window's pickers
write them once a model has loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from psygnal import evented

from inspector.core.models.loading import default_model_name


@evented
@dataclass
class Session:
    """The shared choices.

    Attributes:
        model: built-in model name, model file path, or (with ``weights``) architecture name.
        device: ``None`` (automatic), ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.
        weights: the state dict file for the architecture ``model``, or None.
        trust_code: the user allowed ``model``, a pickled whole model, to run code from its file.
    """

    model: str = field(default_factory=default_model_name)
    device: str | None = None
    weights: str | None = None
    trust_code: bool = False
