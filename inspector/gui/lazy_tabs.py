"""Workspaces as tabs, each built on its first visit.

Building every workspace at start-up cost seconds (each imports its engine, the Privacy
workspace scipy); a tab holds an empty placeholder until it is shown or looked up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from PySide6.QtWidgets import QTabWidget, QWidget

from inspector.gui.workspace import Workspace
from inspector.gui.workspace_tabs import WorkspaceEntry


class LazyTabs(Mapping[str, Workspace]):
    """The workspaces of ``entries`` as the tabs of ``tabs``, by name.

    ``build(entry)`` makes a workspace; it is called once per workspace, when its tab is
    first shown or ``self[name]`` is first asked for (the placeholder tab is then replaced
    in place, the current tab unchanged). The first tab is built at once. Iterating gives
    every name; :meth:`values` only the workspaces that exist (it builds none).

    Raises:
        KeyError: ``self[name]`` for a name no entry has.
    """

    def __init__(self, tabs: QTabWidget, entries: list[WorkspaceEntry], build: Callable[[WorkspaceEntry], Workspace]):
        self.tabs = tabs
        self._entries = {entry.name: entry for entry in entries}
        self._build = build
        self._built: dict[str, Workspace] = {}
        for entry in entries:
            tabs.addTab(QWidget(), entry.title)
        tabs.currentChanged.connect(self._on_current)
        self.current()

    def __getitem__(self, name: str) -> Workspace:
        if name not in self._built:
            entry = self._entries[name]
            index = list(self._entries).index(name)
            workspace = self._build(entry)
            self._built[name] = workspace
            current = self.tabs.currentIndex()
            blocked = self.tabs.blockSignals(True)
            placeholder = self.tabs.widget(index)
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, workspace, entry.title)
            self.tabs.setCurrentIndex(current)
            self.tabs.blockSignals(blocked)
            placeholder.deleteLater()
        return self._built[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def current(self) -> Workspace:
        """The visible workspace (built if it was not)."""
        return self[list(self._entries)[self.tabs.currentIndex()]]

    def values(self) -> list[Workspace]:
        """The workspaces built so far, in the order they were built: what a change of model or
        presentation must reach (one not built yet starts from the current state when it is)."""
        return list(self._built.values())

    def _on_current(self, index: int) -> None:
        if index >= 0:
            self[list(self._entries)[index]]
