"""The Physical workspace's long work: :func:`physical_job` checks the inputs, makes the pattern with
live :class:`~inspector.core.attacks.base.Step` reports, measures it on the held-out images, and
draws the 16 views the grid shows, all in a worker thread."""

from __future__ import annotations

import torch

from inspector.core.physical.job import PhysicalJob, Prepared, prepare
from inspector.core.physical.printing import Camera, snap
from inspector.core.physical.result import PhysicalResult
from inspector.gui.jobs import Job
from inspector.gui.workspaces.physical.demo import HELD_OUT_SEEDS, MAKE_SEEDS, ensure_demo_signs
from inspector.gui.workspaces.physical.state import DEMO_HELD_OUT, DEMO_MAKE, GRID_VIEWS, Outcome

#: The seed of the grid's views (other than the success rate's, which are many more).
GRID_SEED = 1


def physical_job(job: Job, spec: PhysicalJob) -> Outcome:
    """Run ``spec``: report each Step, return the Outcome.

    Raises:
        InspectorError: what :func:`~inspector.core.physical.job.prepare` raises for bad input.
    """
    for folder, seeds in ((DEMO_MAKE, MAKE_SEEDS), (DEMO_HELD_OUT, HELD_OUT_SEEDS)):
        if folder in (spec.images, spec.held_out):
            ensure_demo_signs(folder, seeds)
    prepared = prepare(spec)
    result, summary = prepared.execute(on_step=job.report, should_stop=job.cancelled)
    views, predicted, success = grid_views(prepared, result)
    names = [prepared.model.class_names[k] for k in predicted]
    return Outcome(
        result=result,
        summary=summary,
        views=views,
        names=names,
        success=success,
        held_out=prepared.held_x is not None,
    )


def grid_views(prepared: Prepared, result: PhysicalResult) -> tuple[torch.Tensor, list[int], list[bool]]:
    """:data:`GRID_VIEWS` views of the held-out images in turn (the images made on when there are
    none), as the success rate sees them: for a sticker or patch, printed, seen in the wider views and
    photographed; for a universal perturbation, the digital image in 8 bits.

    Returns:
        (16, C, H, W) in [0, 1], the predicted class of each, and whether each is a success.
    """
    x, y = (prepared.held_x, prepared.held_y) if prepared.held_x is not None else (prepared.x, prepared.y)
    rows = torch.arange(GRID_VIEWS) % x.shape[0]
    generator = torch.Generator().manual_seed(GRID_SEED)
    with torch.no_grad():
        if result.additive:
            views = (result.apply(x[rows]) * 255).round() / 255
        else:
            printed = snap(result.pattern.unsqueeze(0))[0]
            stuck = result.apply(x[rows], printed, generator)
            wider = prepared.views.wider(prepared.job.wider)
            views = Camera().photograph(wider.sample(stuck, generator), generator)
        predicted = prepared.model(views).argmax(1).cpu()
    truth = y[rows].cpu()
    hit = predicted == result.target if result.target is not None else predicted != truth
    return views.cpu(), predicted.tolist(), hit.tolist()
