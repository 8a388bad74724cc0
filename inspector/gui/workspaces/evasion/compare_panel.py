"""The compare panel: which other models classify the adversarial, and whether to attack them directly.

Only built-in models made for the same task (data set and classes) as the
current model are offered, since the adversarial's pixels must mean the same to
each; one of another input size (EfficientNet-Lite1 beside Lite0) reads it
resized (the core checks the channels and classes too). Choices go into ``EvasionState.compare`` and
``EvasionState.compare_direct``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QGroupBox, QLabel, QVBoxLayout

from inspector.core.models.loading import builtin_models
from inspector.gui.workspaces.evasion.state import EvasionState


def comparable_models(model: str) -> list[str]:
    """Built-in models of the same data set and classes as ``model`` (any input size), other than it;
    none for a model file."""
    models = builtin_models()
    if model not in models:
        return []
    task = _task(models[model].task)
    return [name for name, info in models.items() if name != model and _task(info.task) == task]


def _task(task: str) -> str:
    """``"ImageNet-1k, 1000 classes"`` of ``"ImageNet-1k, 1000 classes, 224x224 RGB"``."""
    return ",".join(task.split(",")[:2])


class ComparePanel(QGroupBox):
    """A checkbox per comparable model, and "also attack each directly"."""

    def __init__(self, state: EvasionState, parent=None):
        super().__init__("Compare models (same adversarial, side by side)", parent)
        self.state = state
        self._layout = QVBoxLayout(self)
        self.none_label = QLabel()
        self.none_label.setWordWrap(True)
        self._layout.addWidget(self.none_label)
        self.checkboxes: dict[str, QCheckBox] = {}
        self.direct = QCheckBox("also attack each model directly")
        self.direct.setToolTip("A transfer that fails does not prove robustness: attack each model itself too.")
        self.direct.toggled.connect(lambda checked: setattr(self.state, "compare_direct", checked))
        self._layout.addWidget(self.direct)

    def set_model(self, model: str) -> None:
        """Offer the models comparable with ``model``; choices of models no longer offered are dropped."""
        for box in self.checkboxes.values():
            self._layout.removeWidget(box)
            box.deleteLater()
        names = comparable_models(model)
        self.state.compare = [name for name in self.state.compare if name in names]
        self.checkboxes = {}
        for row, name in enumerate(names, start=1):
            box = QCheckBox(name)
            box.setToolTip(builtin_models()[name].description)
            box.setChecked(name in self.state.compare)
            box.toggled.connect(lambda _checked: self._sync())
            self._layout.insertWidget(row, box)
            self.checkboxes[name] = box
        self.none_label.setText(
            f"first model: {model}"
            if names
            else f"no other built-in model classifies what {model} does: choose a built-in "
            "model (MNIST, or EfficientNet-Lite)"
        )
        self.direct.setEnabled(bool(names))

    def _sync(self) -> None:
        self.state.compare = [name for name, box in self.checkboxes.items() if box.isChecked()]
