"""The desktop app: PySide6 + pyqtgraph views that drive the core through inspector.core.evasion.inspect."""
