"""Model scans: is there a backdoor in a trained model? The registry of their settings, and Neural
Cleanse's (Wang et al. 2019), whose run is :func:`inspector.core.poisoning.neural_cleanse.neural_cleanse`.

A scan's settings are a :class:`~inspector.core.util.params.Configurable` registered in
:data:`MODEL_SCANS`; torch-free, so that ``inspector scan`` lists and checks them without it.
"""

from __future__ import annotations

from dataclasses import dataclass

from inspector.core.util.bounds import MAX_BATCH, MAX_COUNT
from inspector.core.util.params import MAX_SEED, Configurable, Registry, coerce, param

#: The model scans by name.
MODEL_SCANS = Registry("model scan")


@MODEL_SCANS.register
@dataclass
class CleanseSettings(Configurable):
    """Neural Cleanse's optimisation budget (each field is a parameter: see its help)."""

    name = "neural-cleanse"
    title = "Neural Cleanse: the smallest trigger per class, outliers flagged"
    paper = "Wang et al. 2019, IEEE S&P"

    steps: int = param(300, "Adam steps, each on one batch per class", minimum=1, maximum=MAX_COUNT)
    batch_size: int = param(32, "clean images per class per step", minimum=1, maximum=MAX_BATCH)
    lr: float = param(0.1, "Adam learning rate on the mask and pattern logits", minimum=1e-8)
    init_cost: float = param(1e-3, "the starting L1 weight lambda", minimum=0.0)
    asr: float = param(0.99, "the attack success a reconstructed trigger must reach", minimum=1e-6, maximum=1.0)
    patience: int = param(5, "steps above / below asr before lambda is raised / lowered", minimum=1, maximum=MAX_COUNT)
    seed: int = param(0, "the seed of the batches and the start", minimum=0, maximum=MAX_SEED)

    def check(self) -> None:
        """Raises ParameterError (its ``param`` naming the field) for a value out of its range or of
        the wrong type; settings built directly, not through :data:`MODEL_SCANS`, are checked so."""
        for spec in self.params():
            coerce(spec, getattr(self, spec.name), f"model scan {self.name!r}")
