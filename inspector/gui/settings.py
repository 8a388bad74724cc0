"""Recent files and the last export folder, kept as JSON in the user's config folder (platformdirs)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from platformdirs import user_config_path

APP_NAME = "robustness-inspector"
MAX_RECENT = 8
#: The longest path kept (a longer value in the file is not one this app wrote).
MAX_PATH = 4096


def default_settings_path() -> Path:
    return user_config_path(APP_NAME) / "settings.json"


class Settings:
    """The recent-files list and the folder of the last export, read at start and written
    (atomically) on every change. A file that is not what this class writes counts as empty."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else default_settings_path()
        self.recent: list[str] = []
        self.export_folder: str | None = None
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.recent = [str(p) for p in data.get("recent", [])][:MAX_RECENT]
            folder = data.get("export_folder")
            self.export_folder = folder if isinstance(folder, str) and len(folder) <= MAX_PATH else None
        except (OSError, ValueError, AttributeError, TypeError):
            pass

    def export_path(self, name: str) -> str:
        """Where an export dialog starts: ``name`` in the last export's folder (if it still exists), else ``name``."""
        if self.export_folder and Path(self.export_folder).is_dir():
            return str(Path(self.export_folder) / name)
        return name

    def remember_export(self, path: str, *, folder: bool = False) -> None:
        """The user exported to ``path`` (a file, or with ``folder`` a folder): the next dialog starts there."""
        self.export_folder = str(Path(path).resolve() if folder else Path(path).resolve().parent)
        self._write()

    def add_recent(self, path: str) -> None:
        path = str(Path(path).resolve())
        self.recent = [path] + [p for p in self.recent if p != path][: MAX_RECENT - 1]
        self._write()

    def _write(self) -> None:
        """Best effort: a read-only config folder must not break the app."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".settings-")
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"recent": self.recent, "export_folder": self.export_folder}, fh, indent=2)
            os.replace(tmp, self.path)
        except OSError:
            pass
