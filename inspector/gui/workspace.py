"""The base of every workspace: one tab of the main window, with its own panels and jobs."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtWidgets import QMenu, QWidget

from inspector.gui.shell import Shell


class Workspace(QWidget):
    """A kind of work (evasion, privacy, ...): a widget with its own state, built on a :class:`Shell`.

    Subclasses set ``name`` and ``title``, take ``state`` (their own evented
    view state, or None for the default), and may add entries to the File menu
    and scale their text for presentation mode.
    """

    name: ClassVar[str]
    title: ClassVar[str]

    def __init__(self, shell: Shell, state=None, parent=None):
        super().__init__(parent)
        self.shell = shell

    def fill_file_menu(self, menu: QMenu) -> None:
        """Add this workspace's entries (open, export, ...) to the File menu; called on every switch."""

    def set_text_scale(self, scale: float) -> None:
        """Scale text drawn outside Qt's fonts (plots) for presentation mode."""

    def model_changed(self) -> None:
        """The current model's file or metadata changed on disk: reload what depends on it."""

    def open_file(self, path: str) -> None:
        """Open a file dropped on the window (not a model file)."""
        self.shell.show_error(f"the {self.title} workspace does not open files: drop a model file")
