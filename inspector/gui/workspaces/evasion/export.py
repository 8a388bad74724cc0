"""Writing what the user exports: adversarial, perturbation, slide figure, JSON recipe.

Every file is written atomically (temporary file, then ``os.replace``): a
failure leaves nothing half-written and raises ExportError.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from inspector.core.attacks import ATTACKS
from inspector.core.evasion.compare import Comparison
from inspector.core.evasion.inspect import Inspection
from inspector.core.io.figure import side_by_side
from inspector.core.io.files import write_atomically
from inspector.core.io.image import save_image, to_pil
from inspector.core.io.visualize import perturbation_image

LOSSY_SUFFIXES = (".jpg", ".jpeg", ".webp")
JPEG_WARNING = (
    "JPEG compression changes pixel values and can undo the attack: the saved image may "
    "no longer fool the model. Save as PNG to keep exactly what was verified."
)


def is_lossy(path: str | os.PathLike) -> bool:
    return Path(path).suffix.lower() in LOSSY_SUFFIXES


def export_adversarial(inspection: Inspection, path: str | os.PathLike) -> None:
    """The 8-bit adversarial as verified (PNG: lossless; JPEG: quality 95, see JPEG_WARNING)."""
    extra = {"quality": 95} if is_lossy(path) else {}
    save_image(to_pil(inspection.x_adv), path, **extra)


def export_perturbation(inspection: Inspection, path: str | os.PathLike) -> None:
    """The amplified perturbation, blue darker / red brighter."""
    save_image(perturbation_image(inspection.x, inspection.x_adv)[0], path)


def export_figure(inspection: Inspection, path: str | os.PathLike) -> None:
    """Original | perturbation | adversarial with labels, for slides, captioned with :func:`figure_caption`."""
    figure = side_by_side(
        inspection.x,
        inspection.x_adv,
        inspection.original.top_k[0],
        inspection.adversarial.top_k[0],
        figure_caption(inspection),
    )
    save_image(figure, path)


def figure_caption(inspection: Inspection) -> str:
    """What the figure shows was made with: ``"efficientnet-lite0 · PGD, eps 4/255, 10 steps · no defence"``
    (the defences with the attack's mode when there are some)."""
    recipe = inspection.recipe
    defences = (
        f"defences {', '.join(recipe.defenses)} ({'adaptive' if recipe.adaptive else 'non-adaptive'} attack)"
        if recipe.defenses
        else "no defence"
    )
    return " \u00b7 ".join([inspection.model.name, budget(inspection), defences])


def budget(inspection: Inspection) -> str:
    """The attack's title and its budget: eps (Linf in grey levels of 255), steps or queries, where it has them."""
    params = inspection.attack_params
    parts = [ATTACKS[inspection.recipe.attack].title]
    if isinstance(params.get("eps"), float):
        linf = params.get("norm", "linf") == "linf"
        parts.append(f"eps {params['eps'] * 255:.3g}/255" if linf else f"eps {params['eps']:.3g} (L2)")
    if isinstance(params.get("steps"), int):
        parts.append(f"{params['steps']} steps")
    if isinstance(params.get("max_queries"), int):
        parts.append(f"at most {params['max_queries']:,} queries")
    return ", ".join(parts)


def export_recipe(inspection: Inspection, path: str | os.PathLike, comparison: Comparison | None = None) -> None:
    """The JSON summary with the recipe that reproduces the run (``Inspection.to_dict()``);
    with a model comparison, ``Comparison.to_dict()`` (the inspection is its ``source``)."""
    text = json.dumps(inspection.to_dict() if comparison is None else comparison.to_dict(), indent=2)
    write_atomically(path, lambda fh: fh.write(text.encode("utf-8")))
