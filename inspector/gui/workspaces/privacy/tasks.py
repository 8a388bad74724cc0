"""The privacy tasks of the Privacy workspace, in picker order: adding one is one line here."""

from inspector.gui.workspaces.privacy.inversion import INVERSION
from inspector.gui.workspaces.privacy.membership_job import MEMBERSHIP
from inspector.gui.workspaces.privacy.stealing import STEALING

TASKS = {task.name: task for task in (STEALING, INVERSION, MEMBERSHIP)}
