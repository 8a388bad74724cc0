"""The workspaces of the main window, in tab order.

Adding one is a package in :mod:`inspector.gui.workspaces` plus its import and its place in
:data:`WORKSPACES` here.
"""

from inspector.gui.workspaces.evaluate.workspace import EvaluateWorkspace
from inspector.gui.workspaces.evasion.workspace import EvasionWorkspace
from inspector.gui.workspaces.harden.workspace import HardenWorkspace
from inspector.gui.workspaces.privacy.workspace import PrivacyWorkspace
from inspector.gui.workspaces.training_time.workspace import TrainingTimeWorkspace

WORKSPACES = [EvasionWorkspace, EvaluateWorkspace, PrivacyWorkspace, TrainingTimeWorkspace, HardenWorkspace]
