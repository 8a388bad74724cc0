"""The Harden workspace's long work: :func:`harden_job` runs
:func:`~inspector.core.training.hardening.harden` in a worker thread."""

from __future__ import annotations

from inspector.core.training.hardening import HardenReport, harden
from inspector.gui.jobs import Job


def harden_job(job: Job, model: str, weights: str | None, method: str, settings: dict) -> HardenReport:
    """Harden ``model`` (with ``weights``); report each :class:`Progress` and :class:`EpochScore`.
    ``settings``: :func:`harden`'s other keyword arguments (data, out_dir, params, resume, limit, device)."""
    return harden(
        model,
        method,
        weights=weights,
        on_progress=job.report,
        on_epoch=job.report,
        should_stop=job.cancelled,
        **settings,
    )
