"""The membership-inference job: :func:`inspector.core.privacy.membership.run_membership` on a
worker thread, reporting its :class:`~inspector.core.privacy.membership.MembershipProgress`.

    job = Job(membership_job, MembershipConfig(model="mnist-standard", attack="lira-offline"))
    job.progress.connect(view.show_progress)
    runner.start(job, "membership inference\u2026", view.show_result)

Cancel keeps the reference models already trained (in the cache); the job then returns
None and the next run with the same settings continues from them.
"""

from __future__ import annotations

from inspector.core.privacy.membership import MembershipConfig, MembershipResult, run_membership
from inspector.gui.jobs import Job


def membership_job(job: Job, config: MembershipConfig) -> MembershipResult | None:
    """Run ``config``, reporting progress through ``job``; None if cancelled."""
    return run_membership(config, on_progress=job.report, should_stop=job.cancelled)
