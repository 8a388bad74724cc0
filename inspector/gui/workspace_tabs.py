"""The workspaces of the main window, in tab order.

Adding one is a package in :mod:`inspector.gui.workspaces` plus its entry in :data:`WORKSPACES`
here. An entry names the module rather than importing it: a workspace's module (and what it
imports: scipy for the membership metrics, ...) loads on the tab's first visit, not at start-up
(:class:`inspector.gui.lazy_tabs.LazyTabs`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass


@dataclass(frozen=True)
class WorkspaceEntry:
    """One tab: the workspace's ``name`` and ``title`` (as its class declares them) and where its class lives."""

    name: str
    title: str
    module: str
    class_name: str

    def load(self) -> type:
        """Import the workspace's module and return its class (a :class:`inspector.gui.workspace.Workspace`)."""
        cls = getattr(importlib.import_module(self.module), self.class_name)
        assert (cls.name, cls.title) == (self.name, self.title), f"{self.class_name} is not the entry {self.name!r}"
        return cls


WORKSPACES = [
    WorkspaceEntry("evasion", "Evasion", "inspector.gui.workspaces.evasion.workspace", "EvasionWorkspace"),
    WorkspaceEntry("evaluate", "Evaluate", "inspector.gui.workspaces.evaluate.workspace", "EvaluateWorkspace"),
    WorkspaceEntry("privacy", "Privacy", "inspector.gui.workspaces.privacy.workspace", "PrivacyWorkspace"),
    WorkspaceEntry(
        "training-time", "Training-time", "inspector.gui.workspaces.training_time.workspace", "TrainingTimeWorkspace"
    ),
    WorkspaceEntry("harden", "Harden", "inspector.gui.workspaces.harden.workspace", "HardenWorkspace"),
    WorkspaceEntry("physical", "Physical", "inspector.gui.workspaces.physical.workspace", "PhysicalWorkspace"),
]
