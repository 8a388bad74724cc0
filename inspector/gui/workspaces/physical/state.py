"""The Physical workspace's view state in plain, evented Python (no Qt).

The setup panel writes the user's choices; the workspace listens to ``state.events.outcome`` (the
finished or stopped run) and redraws. Dicts are replaced, never changed in place, so every change
is an event.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from psygnal import evented

from inspector.core.defenses import DEFENSES, defense_from_spec
from inspector.core.physical.evaluate import VIEWS_PER_IMAGE

if TYPE_CHECKING:
    import torch

    from inspector.core.physical.result import PhysicalResult

#: Where the demo stop signs are rendered: made on (seeds 0..7) and held out (seeds 100..111).
DEMO_FOLDER = Path(tempfile.gettempdir()) / "inspector-physical"
DEMO_MAKE, DEMO_HELD_OUT = str(DEMO_FOLDER / "stop-make"), str(DEMO_FOLDER / "stop-held-out")
#: The views shown in the grid after a run.
GRID_VIEWS = 16


@dataclass
class Outcome:
    """A finished (or stopped) run.

    Attributes:
        result: the :class:`~inspector.core.physical.result.PhysicalResult`.
        summary: :meth:`~inspector.core.physical.job.Prepared.execute`'s summary (``held_out`` only
            when not stopped).
        views: (16, C, H, W) in [0, 1]: random views of held-out images with the pattern, printed
            and photographed (a universal perturbation's: the digital images, 8 bits).
        names: what the model reads in each view. success: whether each view counts as a success.
        held_out: whether the views are of held-out images (else, without a held-out folder, of the
            images it was made on).
    """

    result: PhysicalResult
    summary: dict
    views: torch.Tensor
    names: list[str]
    success: list[bool]
    held_out: bool = True


@evented
@dataclass
class PhysicalState:
    """Everything the Physical workspace shows, apart from the widgets that show it.

    Attributes:
        kind: a physical attack's name (rp2, patch, uap); ``params`` and ``views`` the parameters
            the user set for it and for the views (the others keep their defaults).
        images: the labelled folder the pattern is made on; ``held_out`` the one it is measured on.
        target: a class index, or None (untargeted); ``target_set`` whether the user chose it (else
            the workspace suggests one for the model).
        mask: a mask image file (white: the sticker), or "" for the attack's two bars.
        views_per_image: random views of each held-out image in the success rate.
        defenses: the names of the defences ticked (the held-out figures are also measured under
            each, and under all of them together); ``defense_values`` their parameter values by name.
        adaptive: make the pattern against the ticked defences (BPDA, EOT) instead of the bare model.
        outcome: the last run.
    """

    kind: str = "rp2"
    params: dict = field(default_factory=dict)
    views: dict = field(default_factory=dict)
    images: str = DEMO_MAKE
    held_out: str = DEMO_HELD_OUT
    target: int | None = None
    target_set: bool = False
    mask: str = ""
    views_per_image: int = VIEWS_PER_IMAGE
    defenses: list = field(default_factory=list)
    defense_values: dict = field(default_factory=dict)
    adaptive: bool = False
    outcome: Outcome | None = None

    def defense_specs(self) -> list[str]:
        """The ticked defences as specs (``"jpeg:quality=75"``), in the order ticked (the pipeline's).

        Raises:
            ParameterError: a bad parameter value.
        """
        return [DEFENSES.make(n, self.defense_values.get(n, {})).spec() for n in self.defenses]

    def use_defenses(self, specs: list[str]) -> None:
        """Tick the defences of ``specs`` with their values (an opened run's).

        Raises:
            ParameterError: an unknown defence or a bad value.
        """
        made = [defense_from_spec(s) for s in specs]
        self.defense_values = self.defense_values | {
            d.name: {p.name: getattr(d, p.name) for p in d.params()} for d in made
        }
        self.defenses = [d.name for d in made]
