"""The workspaces of the main window, in tab order: adding one is one line here."""

from inspector.gui.evaluate.workspace import EvaluateWorkspace
from inspector.gui.evasion.workspace import EvasionWorkspace

WORKSPACES = [EvasionWorkspace, EvaluateWorkspace]
