"""Sphinx configuration of the Robustness Inspector documentation.

Build: ``docs/build.sh`` (``sphinx-build -W --keep-going -b html docs docs/_build/html``).
The pages are Markdown (MyST). The API reference, the CLI reference and the tables of
attacks, defences and detectors are generated from the code at build time, so they
follow whatever the package layout is.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the checkout's `inspector`, installed or not
sys.path.insert(0, str(HERE / "_ext"))  # the local extension (registries, schemas)

# Qt is never needed to document the engine or the CLI; headless if anything imports it.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

project = "Robustness Inspector"
author = "Robustness Inspector contributors"
copyright = "the Robustness Inspector contributors"
try:
    from inspector import __version__ as release
except Exception:  # noqa: BLE001 - the version is cosmetic
    release = ""
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinxarg.ext",
    "inspector_docs",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "README.md"]
templates_path = ["_templates"]

# MyST: Markdown pages with directives in ```{name}``` fences, heading anchors for links.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# API reference: one page per module of inspector.core, found recursively (see reference/api.md).
# The pages are made again on every build: pages of modules since moved or removed would fail it.
shutil.rmtree(Path(__file__).parent / "reference" / "api", ignore_errors=True)
autosummary_generate = True
autosummary_imported_members = False
# Each object on the page of the module that defines it: a package's re-exports (its __all__) are
# documented once, where they live.
autodoc_default_options = {"members": True, "show-inheritance": True, "ignore-module-all": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_class_signature = "separated"
# Heavy modules imported lazily: documented from their source even in an environment that lacks them.
autodoc_mock_imports = [
    name for name in ("opacus", "onnx", "onnxruntime", "onnxscript", "ray") if importlib.util.find_spec(name) is None
]
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
napoleon_custom_sections = [("Class attributes", "params_style"), ("Shapes", "notes_style")]

# Google-style docstrings mention Python objects by their short names; those that Sphinx
# cannot resolve are plain text, not errors (nitpicky stays off). Hand-written pages are
# held to more: see inspector_docs.check_references.
nitpicky = False
# A short name in a signature or docstring that two modules define (``Progress``, ``metrics``) links to
# neither rather than failing the build; the guides' references are checked by inspector_docs.
suppress_warnings = ["ref.python"]

# The synopses and command lines on the pages are plain text, not Python.
highlight_language = "none"
# "--weights" in a help text stays two hyphens, not an en dash.
smartquotes = False

html_theme = "furo"
html_title = "Robustness Inspector"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_logo = None
html_show_sourcelink = False
html_theme_options = {"navigation_with_keys": True}


def _shallow_navigation(app, pagename, templatename, context, doctree):
    """The sidebar lists pages down to the engine's packages, not every module: the theme resolves
    the whole tree for each of the ~170 pages, which with every module page took half the build.
    A package's page lists its modules."""
    toctree = context.get("toctree")
    if toctree is not None:
        context["toctree"] = lambda **kwargs: toctree(**{**kwargs, "maxdepth": NAVIGATION_DEPTH})


#: Sidebar depth: page > inspector.core > its modules and packages.
NAVIGATION_DEPTH = 3


def setup(app):
    app.connect("html-page-context", _shallow_navigation, priority=400)  # before the theme's handler
