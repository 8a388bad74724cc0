"""Recent files, kept as JSON in the user's config folder (platformdirs)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from platformdirs import user_config_path

APP_NAME = "robustness-inspector"
MAX_RECENT = 8


def default_settings_path() -> Path:
    return user_config_path(APP_NAME) / "settings.json"


class Settings:
    """The recent-files list, read at start and written (atomically) on every change."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else default_settings_path()
        self.recent: list[str] = []
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            self.recent = [str(p) for p in data.get("recent", [])][:MAX_RECENT]
        except (OSError, ValueError, AttributeError):
            pass

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
                json.dump({"recent": self.recent}, fh, indent=2)
            os.replace(tmp, self.path)
        except OSError:
            pass
