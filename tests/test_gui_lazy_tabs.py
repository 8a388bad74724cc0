"""The main window's tabs build their workspace on the first visit, in place, and once."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget, QWidget

from inspector.gui.lazy_tabs import LazyTabs
from inspector.gui.workspace_tabs import WORKSPACES, WorkspaceEntry

ENTRIES = [WorkspaceEntry(name, name.title(), "unused", "Unused") for name in ("first", "second", "third")]


def test_a_tab_is_built_on_its_first_visit_or_lookup_only(qtbot):
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    built = []

    def build(entry: WorkspaceEntry) -> QWidget:
        built.append(entry.name)
        return QWidget()

    lazy = LazyTabs(tabs, ENTRIES, build)
    assert built == ["first"] and list(lazy) == ["first", "second", "third"] and len(lazy.values()) == 1
    assert [tabs.tabText(i) for i in range(3)] == ["First", "Second", "Third"]
    tabs.setCurrentIndex(2)
    assert built == ["first", "third"] and tabs.currentWidget() is lazy["third"]
    second = lazy["second"]  # a lookup builds it in place; the visible tab stays
    assert built == ["first", "third", "second"] and tabs.indexOf(second) == 1 and tabs.currentIndex() == 2
    tabs.setCurrentIndex(1)
    assert built == ["first", "third", "second"] and lazy.current() is second


def test_the_tab_list_names_each_workspace_class_as_it_declares_itself():
    for entry in WORKSPACES:
        cls = entry.load()
        assert (cls.name, cls.title) == (entry.name, entry.title)
