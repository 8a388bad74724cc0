"""The membership-inference task of the Privacy workspace: its form, its job and its entry in the
attack picker. The job runs :func:`inspector.core.privacy.membership.run_membership` on a worker
thread, reporting progress; Cancel keeps the reference models already trained (in the cache),
the job then returns None and the next Run with the same settings continues from them.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout

from inspector.core.privacy.membership import MEMBERSHIP_ATTACKS, MembershipConfig, MembershipResult, run_membership
from inspector.core.privacy.membership.figures import roc_figure
from inspector.gui.jobs import Job, draws_global_rng
from inspector.gui.param_form import ParamForm
from inspector.gui.workspaces.privacy.membership_view import MembershipView
from inspector.gui.workspaces.privacy.state import MembershipSettings, PrivacyState
from inspector.gui.workspaces.privacy.task import PrivacyTask, Progress, TaskForm


class MembershipForm(TaskForm):
    """The membership attack and its parameters (a :class:`ParamForm` from its registry entry),
    written into the state."""

    def __init__(self, state: PrivacyState, parent=None):
        super().__init__(state, parent)
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.attack = QComboBox()
        self.attack.addItems(list(MEMBERSHIP_ATTACKS))
        form.addRow("membership attack", self.attack)
        self.params = ParamForm(lambda name, value: self.state.membership.params.__setitem__(name, value))
        form.addRow(self.params)
        self.show_state()
        self.attack.currentTextChanged.connect(self._on_attack)

    def show_state(self) -> None:
        self.attack.blockSignals(True)
        self.attack.setCurrentText(self.state.membership.attack)
        self.attack.blockSignals(False)
        self._on_attack(self.state.membership.attack)

    def _on_attack(self, name: str) -> None:
        self.state.membership.attack = name
        self.params.set_params(MEMBERSHIP_ATTACKS[name].params(), self.state.membership.params)


def use_membership(state: PrivacyState, config: MembershipConfig) -> None:
    """Take a saved membership run's model, attack and the attack's parameters."""
    attack = config.attack.strip().lower()  # as the core reads it
    state.victim = config.model
    state.membership = MembershipSettings(
        attack, {s.name: getattr(config, s.name) for s in MEMBERSHIP_ATTACKS[attack].params()}
    )


@draws_global_rng
def membership_job(job: Job, config: MembershipConfig) -> MembershipResult | None:
    """Run ``config``, reporting its :class:`~inspector.core.privacy.membership.MembershipProgress`; None if cancelled."""
    return run_membership(config, on_progress=job.report, should_stop=job.cancelled)


@draws_global_rng
def run_membership_task(job: Job, state: PrivacyState) -> MembershipResult | None:
    """The workspace's job: the state's settings, progress as the workspace's :class:`Progress`."""
    settings = state.membership
    config = MembershipConfig(model=state.victim, attack=settings.attack, **settings.params)

    def on_progress(p) -> None:
        text = f"{p.stage}: {p.done}/{p.total}"
        if p.reference is not None and p.reference.training is not None:
            t = p.reference.training
            text = (
                f"reference model {p.reference.model} of {p.reference.count} ({p.reference.ready} ready): "
                f"epoch {t.epoch}/{t.epochs}"
            )
        job.report(Progress(p.done, p.total, text))

    return run_membership(config, on_progress=on_progress, should_stop=job.cancelled)


MEMBERSHIP = PrivacyTask(
    name="membership",
    title="Membership inference",
    description="Was a digit in the training set? 2,000 random members against the 2,000 held-out digits: "
    "loss threshold (Yeom et al. 2018), LiRA with reference models (Carlini et al. 2022), or the "
    "label-only boundary distance through HopSkipJump (Choquette-Choo et al. 2021). ROC AUC and "
    "TPR at 1 % FPR with 95 % bootstrap CIs.",
    form=MembershipForm,
    view=MembershipView,
    run=run_membership_task,
    figure=roc_figure,
    to_dict=lambda result: {"recipe": result.to_json()["config"], **result.to_json()},
    use=use_membership,
)
