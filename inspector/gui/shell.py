"""What the main window shares with its workspaces: the session, the job runner, settings, messages.

A workspace gets a :class:`Shell` and never imports the main window, so a new
workspace is its own package plus one line in :mod:`inspector.gui.workspace_tabs`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from inspector.gui.jobs import JobRunner
from inspector.gui.session import Session
from inspector.gui.settings import Settings


@dataclass
class Shell:
    """Services of the main window.

    Attributes:
        session: the shared model and device choices (evented).
        runner: this workspace's own runner: one long job at a time, beside the other workspaces' jobs.
        settings: recent files, kept in the user's config folder.
        show_error: report an error (a dialog, unless the app is scripted).
        show_status: a transient status-bar message; ``(text, milliseconds)``, 0 keeps it.
        set_summary: the permanent summary at the right of the status bar.
    """

    session: Session
    runner: JobRunner
    settings: Settings
    show_error: Callable[[str], None]
    show_status: Callable[[str, int], None]
    set_summary: Callable[[str], None]
