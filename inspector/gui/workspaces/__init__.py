"""The workspaces of the main window, one package each: its state (plain Python, no Qt), jobs and panels.

A new workspace is a package here plus one line in :mod:`inspector.gui.workspace_tabs`;
pyproject.toml's import contracts check it (independent of the others, its state Qt-free) by wildcard.
Nothing is imported here, so a workspace's state loads without Qt.
"""
