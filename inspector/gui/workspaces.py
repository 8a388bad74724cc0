"""The workspaces of the main window, in tab order: adding one is one line here."""

from inspector.gui.evaluate.workspace import EvaluateWorkspace
from inspector.gui.evasion.workspace import EvasionWorkspace
from inspector.gui.privacy.workspace import PrivacyWorkspace
from inspector.gui.training_time.workspace import TrainingTimeWorkspace

WORKSPACES = [EvasionWorkspace, EvaluateWorkspace, PrivacyWorkspace, TrainingTimeWorkspace]
