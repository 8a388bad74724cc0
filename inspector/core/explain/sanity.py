"""The model-randomisation sanity check of an explanation method (Adebayo et al. 2018, arXiv:1810.03292).

A map that explains the model must change when the model does: the top layers' weights are
re-initialised (seeded) and the same image explained again towards the same class. A method whose
map keeps its order of pixels (Spearman's rank correlation of |map| at or above
:data:`FLAG_AT`) shows the image rather than the model, and is flagged. The check runs once per
model and method: :func:`sanity_check` keeps its results while the model is loaded.
"""

from __future__ import annotations

import copy
import weakref
from dataclasses import dataclass

import torch
from torch import nn

from inspector.core.explain.compare import rank_correlation
from inspector.core.explain.method import ExplanationMethod
from inspector.core.models.classifier import Classifier
from inspector.core.util.errors import ModelError
from inspector.core.util.messages import show_path

#: Parameterised layers re-initialised, counted from the output (the logits' layer and the one before).
TOP_LAYERS = 2
#: The seed of the new weights.
SEED = 0
#: A rank correlation at or above this, before and after re-initialising, flags the method
#: (Adebayo et al.: the maps of methods that pass drop well below it; an edge detector's stay near 1).
FLAG_AT = 0.5

#: The checks made, by model (while it is loaded) and method spec.
_DONE: weakref.WeakKeyDictionary[Classifier, dict[str, SanityCheck]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class SanityCheck:
    """The outcome of the model-randomisation check of one method on one model.

    Attributes:
        method: the method's spec (name and parameters).
        layers: the names (as in the network) of the layers re-initialised.
        rank_correlation: Spearman's rank correlation of |map| before and after, in [-1, 1]; None
            where the check could not run.
        flagged: whether it is at or above :data:`FLAG_AT`: the map does not depend on the model enough.
        not_run: why the check could not run (a model whose layers are not visible); empty where it ran.
    """

    method: str
    layers: tuple[str, ...]
    rank_correlation: float | None
    flagged: bool
    not_run: str = ""

    def to_dict(self) -> dict:
        return {
            "test": "model randomisation (Adebayo et al. 2018, arXiv:1810.03292)",
            "layers_reinitialised": list(self.layers),
            "seed": SEED,
            "rank_correlation": self.rank_correlation,
            "flag_at": FLAG_AT,
            "flagged": self.flagged,
        } | ({"not_run": self.not_run} if self.not_run else {})

    def describe(self) -> str:
        """One line, the verdict first: ``"sanity check passes: rank correlation 0.12 after re-initialising
        the top 2 layers (model randomisation)"``."""
        if self.rank_correlation is None:
            return f"sanity check not run (model randomisation): {self.not_run}"
        verdict = "FLAGGED, the map hardly depends on the weights" if self.flagged else "passes"
        return (
            f"sanity check {verdict}: rank correlation {self.rank_correlation:.2f} after re-initialising "
            f"the top {len(self.layers)} layers (model randomisation)"
        )


def top_layers(net: nn.Module, count: int = TOP_LAYERS) -> list[tuple[str, nn.Module]]:
    """The last ``count`` layers of ``net`` (in the order they are declared) that have weights and
    can re-initialise them, with their names.

    Raises:
        ModelError: none does (a TorchScript or ONNX model's layers are not visible).
    """
    layers = [
        (name, m)
        for name, m in net.named_modules()
        if not list(m.children()) and hasattr(m, "reset_parameters") and any(True for _ in m.parameters())
    ]
    if not layers:
        raise ModelError("the model shows no layer whose weights can be re-initialised")
    return layers[-count:]


def randomised(model: Classifier, count: int = TOP_LAYERS, seed: int = SEED) -> tuple[Classifier, tuple[str, ...]]:
    """A copy of ``model`` with its top ``count`` layers (:func:`top_layers`) re-initialised by their
    own initialisers from ``seed`` (torch's global generator is left as it was), and their names.

    Raises:
        ModelError: see :func:`top_layers`.
    """
    try:
        layers = top_layers(model.net, count)
    except ModelError as exc:
        raise ModelError(f"{show_path(model.name)}: {exc}") from None
    names = {name for name, _ in layers}
    copied = copy.deepcopy(model)
    devices = [copied.device] if copied.device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices), torch.no_grad():
        torch.manual_seed(seed)
        for name, module in copied.net.named_modules():
            if name in names:
                module.reset_parameters()
    return copied, tuple(name for name, _ in layers)


def model_randomisation(model: Classifier, method: ExplanationMethod, x: torch.Tensor, target: int) -> SanityCheck:
    """Explain ``x`` (1, C, H, W) in [0, 1] towards ``target`` with ``model`` and with its
    :func:`randomised` copy, and compare the maps; a model that shows no layer to re-initialise
    (TorchScript, ONNX) gives a check that did not run, saying so.

    Raises:
        ModelError: the model fails.
    """
    try:
        copied, layers = randomised(model)
    except ModelError as exc:
        return SanityCheck(method.spec(), (), None, False, str(exc))
    before = method.attribute(model, x, target).map
    after = method.attribute(copied, x, target).map
    correlation = rank_correlation(before, after)
    return SanityCheck(method.spec(), layers, correlation, correlation >= FLAG_AT)


def sanity_check(model: Classifier, method: ExplanationMethod, x: torch.Tensor, target: int) -> SanityCheck:
    """:func:`model_randomisation` on the first image it is asked for, per model (while it is loaded)
    and method spec; later calls return that result.

    Raises:
        see :func:`model_randomisation`.
    """
    done = _DONE.setdefault(model, {})
    spec = method.spec()
    if spec not in done:
        done[spec] = model_randomisation(model, method, x, target)
    return done[spec]
