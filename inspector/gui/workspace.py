"""The base of every workspace: one tab of the main window, with its own panels and jobs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMenu, QScrollArea, QSplitter, QVBoxLayout, QWidget

from inspector.gui.shell import Shell


class Workspace(QWidget):
    """A kind of work (evasion, privacy, ...): a widget with its own state, built on a :class:`Shell`.

    Subclasses set ``name`` and ``title``, take ``state`` (their own evented
    view state, or None for the default), and may add entries to the File menu
    and scale their text for presentation mode. A workspace that opens saved runs
    (File > Open recipe) names their kinds in ``opens`` (the classes
    :func:`inspector.core.replay.read_source` returns) and implements :meth:`open_source`;
    the main window routes each file to the workspace that opens its kind.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    opens: ClassVar[tuple[type, ...]] = ()

    def __init__(self, shell: Shell, state=None, parent=None):
        super().__init__(parent)
        self.shell = shell

    def lay_out(
        self, panels: Sequence[QWidget], centre: QWidget, side_width: int, footer: QWidget | None = None
    ) -> None:
        """The workspaces' layout: a scrolling column of ``panels`` (top to bottom) beside ``centre``.

        The column (``self.side`` in ``self.side_scroll``, both in ``self.side_column``) is at least
        ``side_width`` pixels wide, wider where its panels need it; ``centre`` takes the rest. A
        ``footer`` (Run, Cancel) stays below the scrolling part, always in view.
        """
        self.side = QWidget()
        side_layout = QVBoxLayout(self.side)
        for panel in panels:
            side_layout.addWidget(panel)
        side_layout.addStretch(1)
        self.side_scroll = QScrollArea()
        self.side_scroll.setWidget(self.side)
        self.side_scroll.setWidgetResizable(True)
        self.side_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.side_column = QWidget()
        column = QVBoxLayout(self.side_column)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.side_scroll, 1)
        if footer is not None:
            column.addWidget(footer)
        self.fit_side_column(side_width)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter(Qt.Orientation.Horizontal, [self.side_column, centre], stretch=1))

    def fit_side_column(self, width: int) -> None:
        """Make the side column of :meth:`lay_out` ``width`` pixels wide, or as wide as its panels need."""
        width = max(width, self.side.sizeHint().width() + self.side_scroll.verticalScrollBar().sizeHint().width())
        self.side_column.setMinimumWidth(width)
        self.side_column.setMaximumWidth(width + 90)

    def fill_file_menu(self, menu: QMenu) -> None:
        """Add this workspace's entries (open, export, ...) to the File menu; called on every switch."""

    def set_text_scale(self, scale: float) -> None:
        """Scale the text of the results (plots, tables) for presenter mode: 1.0 is the normal size."""

    def set_presenter(self, on: bool) -> None:
        """Presenter mode on or off: a workspace may hide its controls and show its results large."""

    def model_changed(self) -> None:
        """The current model's file or metadata changed on disk: reload what depends on it."""

    def open_source(self, source, confirm_code: Callable[[str], bool]) -> bool:
        """Show ``source`` (a saved run of a kind in ``opens``, already read and checked) with its
        settings applied; ``confirm_code(model)`` asks the person before a pickled model is loaded.
        False (after one error line) when it cannot be shown here."""
        raise NotImplementedError(f"the {self.title} workspace opens no saved runs")

    def open_file(self, path: str) -> None:
        """Open a file dropped on the window (not a model file)."""
        self.shell.show_error(f"the {self.title} workspace does not open files: drop a model file")


def splitter(
    orientation: Qt.Orientation,
    widgets: Sequence[QWidget],
    sizes: Sequence[int] | None = None,
    stretch: int | None = None,
) -> QSplitter:
    """A splitter of ``widgets`` with initial ``sizes`` (pixels), or the widget at ``stretch`` taking the rest."""
    split = QSplitter(orientation)
    for widget in widgets:
        split.addWidget(widget)
    if sizes is not None:
        split.setSizes(list(sizes))
    if stretch is not None:
        split.setStretchFactor(stretch, 1)
    return split
